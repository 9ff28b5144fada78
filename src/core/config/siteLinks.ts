/**
 * Links in runbooks that are the source of a documentation site (Middleman, MkDocs, Hugo, Docusaurus,
 * Jekyll): `/manual/cdn.html` names the page built from `source/manual/cdn.html.md`, not a file at the
 * repository root. Pure: the caller says which files exist.
 */
import picomatch from 'picomatch';
import { trimSlashes } from './paths';

export interface SiteConfig {
  /** Repository-relative folder the site's pages live in (its URL root), without a trailing `/`. */
  pages: string;
  /** Site paths (`/api/**`, `/search.html`) the site generates, so links to them are never checked. */
  unchecked: string[];
  /** The generator it was detected from, or configured as; only said in messages. */
  generator?: string;
}

/** How the common generators name the source of a page at `base` (its URL path without `.html` or `/`). */
const PAGE_SOURCES = [
  '.html.md', '.html.md.erb', '.html.erb', '.html.markdown', '.md', '.markdown', '.mdx', '.html', '.htm', '.erb',
  '/index.html.md', '/index.html.md.erb', '/index.md', '/index.mdx', '/_index.md', '/README.md', '/index.html',
];

function parent(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/**
 * Sites found from their generators' own files, outermost first: Middleman (`config.rb` beside
 * `source/`), MkDocs (`mkdocs.yml`, pages in `docs/`), Hugo (`hugo.toml`/`config.toml` beside
 * `content/`), Docusaurus (`docusaurus.config.*`, pages in `docs/`), Jekyll (`_config.yml`). Without
 * them, a `source/` folder holding `*.html.md` pages (Middleman's layout, as copied without its
 * config) is a site too.
 */
export function detectSites(paths: readonly string[]): SiteConfig[] {
  const files = new Set(paths);
  const folders = new Set<string>();
  for (const path of paths) for (let dir = parent(path); ; dir = parent(dir)) {
    if (folders.has(dir)) break;
    folders.add(dir);
    if (dir === '') break;
  }
  const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);
  const found = new Map<string, SiteConfig>();
  const add = (pages: string, generator: string): void => {
    if (folders.has(pages) && !found.has(pages)) found.set(pages, { pages, unchecked: [], generator });
  };
  for (const dir of folders) {
    if (files.has(join(dir, 'config.rb'))) add(join(dir, 'source'), 'middleman');
    if (files.has(join(dir, 'mkdocs.yml')) || files.has(join(dir, 'mkdocs.yaml'))) add(join(dir, 'docs'), 'mkdocs');
    if ((files.has(join(dir, 'hugo.toml')) || files.has(join(dir, 'config.toml')))) add(join(dir, 'content'), 'hugo');
    if (['js', 'ts', 'mjs', 'cjs'].some((ext) => files.has(join(dir, `docusaurus.config.${ext}`)))) add(join(dir, 'docs'), 'docusaurus');
    if (files.has(join(dir, '_config.yml'))) add(dir, 'jekyll');
  }
  for (const path of paths) {
    if (!/\.html\.md(?:\.erb)?$/.test(path)) continue;
    const parts = path.split('/');
    const source = parts.lastIndexOf('source', parts.length - 2);
    if (source !== -1) add(parts.slice(0, source + 1).join('/'), 'middleman');
  }
  return [...found.values()].sort((a, b) => a.pages.length - b.pages.length);
}

/** The site whose pages hold `path` (the innermost one), if any. */
export function siteOf(path: string, sites: readonly SiteConfig[]): SiteConfig | undefined {
  let best: SiteConfig | undefined;
  for (const site of sites) {
    if ((site.pages === '' || path.startsWith(`${site.pages}/`)) && (!best || site.pages.length > best.pages.length)) best = site;
  }
  return best;
}

/** Repository-relative files that could be the source of the page at repository path `target`. */
export function pageSources(target: string): string[] {
  const base = trimSlashes(target, { leading: false }).replace(/\.html?$/, '');
  return [target, ...PAGE_SOURCES.map((ending) => `${base}${ending}`)];
}

/** Whether `target` names a page (`x.html`, `x/`, `x` without an extension) rather than an asset (`x.png`). */
export function isPageLink(target: string): boolean {
  const name = trimSlashes(target, { leading: false }).split('/').pop() ?? '';
  return target.endsWith('/') || /\.html?$/.test(name) || !name.includes('.') || /\.(?:md|markdown|mdx)$/.test(name);
}

/** Whether `target` names a page's source file (`x.md`, `x.html.md.erb`) rather than a built page or an asset. */
export function namesSourceFile(target: string): boolean {
  return /\.(?:md|markdown|mdx|erb)$/.test(target);
}

/** Whether the site path `sitePath` (`/api/x.html`) is one the site generates, by its `unchecked` globs. */
export function isUnchecked(site: SiteConfig, sitePath: string): boolean {
  return site.unchecked.length > 0 && picomatch.isMatch(sitePath, site.unchecked, { dot: true });
}
