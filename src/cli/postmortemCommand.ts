import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileStem, PathClassifier } from '../core/config/paths';
import { layoutFromConfig } from '../core/config/repoConfig';
import { BUILT_IN_POSTMORTEM_TEMPLATE, draftPostmortem, POSTMORTEM_TEMPLATE_PATH, PostmortemDraftError, postmortemSubject } from '../core/postmortem/postmortemDraft';
import { parseRunbook } from '../core/runbook/runbook';
import { writeFileAtomic } from '../fs/atomicWrite';
import { realPathInsideRepository } from '../fs/repositoryPath';
import { AUTHOR_OPTIONS, authorOption, optionValue, readRepoConfig, timeOption, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';
import { applyRecordEdit, findRecord, lockTimeoutMs } from './recordEdit';

export const POSTMORTEM_OPTIONS: CommandOptions = { dir: { type: 'string' }, 'lock-timeout': { type: 'string' }, ...AUTHOR_OPTIONS };

/**
 * `runbook-ops postmortem <id>`: writes (or regenerates the facts block of) the incident's postmortem
 * draft and links it from the record as `postmortem:`, the same draft the extension writes.
 */
export async function postmortemCommand(args: ParsedArgs, out: (text: string) => void, err: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): Promise<number> {
  const [id, ...extra] = args.positional;
  if (!id || extra.length > 0) throw new UsageError('Use "runbook-ops postmortem <id>".');
  const root = resolve(optionValue(args, 'dir') ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository with --dir.`);
  const { config } = readRepoConfig(root);
  const classifier = new PathClassifier(layoutFromConfig(config));
  const recordPath = await findRecord(root, id, classifier, config.incidentFolder);
  const runbookTitle = (path: string): string | undefined => {
    const file = join(root, path);
    return existsSync(file) && statSync(file).isFile() ? parseRunbook(path, readFileSync(file)).title : undefined;
  };
  const templateFile = join(root, POSTMORTEM_TEMPLATE_PATH);
  const template = existsSync(templateFile) ? readFileSync(templateFile, 'utf8') : BUILT_IN_POSTMORTEM_TEMPLATE;
  let draft;
  let postmortemPath: string;
  let target: string;
  try {
    const subject = postmortemSubject(recordPath, readFileSync(join(root, recordPath)), config.postmortemFolder);
    postmortemPath = subject.postmortemPath;
    // The real file, never through a link out of the repository (a record from a pull request names the path).
    target = await realPathInsideRepository(root, postmortemPath);
    const existing = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    draft = draftPostmortem(existing, template, { detail: subject.detail, recordPath, postmortemPath, runbookTitle });
  } catch (error) {
    if (!(error instanceof PostmortemDraftError)) throw error;
    err(`runbook-ops: ${id}: ${error.message}`);
    return 1;
  }
  if (draft.outcome !== 'unchanged') {
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomic(target, draft.text);
  }
  const linked = await applyRecordEdit(root, recordPath, [{ op: 'setPostmortem', path: postmortemPath }], {
    now: timeOption(args),
    author: await authorOption(args, root),
    config,
    timeoutMs: lockTimeoutMs(args),
    holder: 'runbook-ops postmortem',
    err,
    label: id,
  });
  if ('refused' in linked) {
    err(`runbook-ops: ${id}: the draft is written, but linking it from the record was refused: ${linked.refused}`);
    return 1;
  }
  const what = { created: 'wrote a new draft', regenerated: 'regenerated the facts block of', unchanged: 'nothing to change in' }[draft.outcome];
  out(`${fileStem(recordPath)}: ${what} ${postmortemPath}${linked.changed ? `; the record links it (postmortem: ${postmortemPath})` : ''}`);
  return 0;
}
