import { layoutFromConfig, type RepoConfig } from '../core/config/repoConfig';
import { PathClassifier } from '../core/config/paths';
import { WorkspaceIndex } from '../core/index/workspaceIndex';
import { buildIndexInParallel } from '../fs/parallelIndex';
import { listRepositoryFiles } from '../fs/repositoryFiles';
import { buildIndexWithCache, defaultCliCacheFile, summaryCacheKey } from '../fs/summaryCache';

/**
 * The index of the repository at `root`, as `index` and `alert` build it: on worker threads beside this
 * bundle (dist/indexWorker.js), or this thread when they cannot start; files unchanged since the last run
 * come from the summary cache (src/fs/summaryCache.ts) unless `noCache`.
 */
export async function buildRepositoryIndex(root: string, config: RepoConfig, options: { noCache: boolean; parserVersion: string }): Promise<WorkspaceIndex> {
  const layout = layoutFromConfig(config);
  const index = new WorkspaceIndex(new PathClassifier(layout), { config });
  if (options.noCache) await buildIndexInParallel(index, root, listRepositoryFiles(root));
  else await buildIndexWithCache(index, root, listRepositoryFiles(root), { file: defaultCliCacheFile(root), key: summaryCacheKey(options.parserVersion, config, layout) });
  return index;
}
