/**
 * Reading shell text with a real parser: mvdan/sh (bash grammar), as the GopherJS build `mvdan-sh`.
 * Chosen over `sh-syntax` (the same parser compiled to WebAssembly): its AST has no command words, a
 * new instance per call costs 6 ms, and a reused one crashed after ~1,000–3,000 parses. mvdan-sh is
 * synchronous and loads in ~100 ms (`npm run bench` has the figures), so it is loaded on first use
 * (never by the index, which keeps its fast heuristics) and only steps offered to run are parsed.
 */
// Loaded with `require` on first use: it is 1.5 MB and most sessions never parse a step. The bundles
// ship it as its own file beside them, and esbuild.mjs aliases `mvdan-sh` to the Node adapter that loads
// that file (src/fs/mvdanShBesideBundle.ts), so this module stays free of Node's file paths; the
// unbundled test build loads the package from node_modules.
interface ShPos { Offset(): number; Line(): number; Col(): number }
interface ShNode { Pos(): ShPos; End(): ShPos }
interface ShWordPart extends ShNode { Value?: string; Parts?: ShWordPart[] }
interface ShWord extends ShNode { Parts: ShWordPart[] }
interface ShCallExpr extends ShNode { Args: ShWord[] }
interface ShParseError { Error(): string; Pos: ShPos; Text: string }
interface ShSyntax {
  NewParser(...options: unknown[]): { Parse(source: string, name: string): ShNode };
  Variant(lang: unknown): unknown;
  LangBash: unknown;
  KeepComments(keep: boolean): unknown;
  Walk(node: ShNode, visit: (node: ShNode | null) => boolean): void;
  NodeType(node: ShNode): string;
}

let parser: { parse(source: string): ShNode; syntax: ShSyntax } | undefined;

function loadParser(): { parse(source: string): ShNode; syntax: ShSyntax } {
  if (parser) return parser;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use (see above) */
  const module = require('mvdan-sh') as { syntax: ShSyntax };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const syntax = module.syntax;
  const instance = syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(false));
  parser = { parse: (source) => instance.Parse(source, ''), syntax };
  return parser;
}

/** One simple command as the shell sees it: its words with quoting removed. */
export interface ShellCall {
  words: string[];
}

export interface ShellSyntaxError {
  /** 1-based, within the parsed text. */
  line: number;
  column: number;
  message: string;
}

export type ShellReading = ({ ok: true; calls: ShellCall[] }) | ({ ok: false } & ShellSyntaxError);

/** A word's text after quote removal; expansions ($x, $(…)) are kept as written. */
function wordText(part: ShWordPart, syntax: ShSyntax, source: string): string {
  switch (syntax.NodeType(part)) {
    case 'Lit':
      // An unquoted backslash quotes the next character.
      return (part.Value ?? '').replace(/\\(.)/gs, '$1');
    case 'SglQuoted':
      return part.Value ?? '';
    case 'DblQuoted':
      return (part.Parts ?? []).map((p) => (syntax.NodeType(p) === 'Lit' ? (p.Value ?? '') : wordText(p, syntax, source))).join('');
    default:
      return source.slice(part.Pos().Offset(), part.End().Offset());
  }
}

function parse(source: string): { file: ShNode } | ShellSyntaxError {
  try {
    return { file: loadParser().parse(source) };
  } catch (err) {
    const parseError = err as Partial<ShParseError>;
    if (typeof parseError.Error !== 'function' || parseError.Pos === undefined) throw err;
    return { line: parseError.Pos.Line(), column: parseError.Pos.Col(), message: parseError.Text ?? parseError.Error() };
  }
}

/**
 * Where bash would reject `source`, or undefined when it parses. Only the parse: walking the tree
 * costs several times more in the GopherJS build, so deciding runnability does not.
 */
export function shellSyntaxError(source: string): ShellSyntaxError | undefined {
  const parsed = parse(source);
  return 'file' in parsed ? undefined : parsed;
}

/** Parses `source` as bash and lists its simple commands. Never throws: rejected text comes back with where and why. */
export function readShell(source: string): ShellReading {
  const parsed = parse(source);
  if (!('file' in parsed)) return { ok: false, ...parsed };
  const { syntax } = loadParser();
  const calls: ShellCall[] = [];
  syntax.Walk(parsed.file, (node) => {
    if (node !== null && syntax.NodeType(node) === 'CallExpr') {
      const call = node as ShCallExpr;
      if (call.Args.length > 0) calls.push({ words: call.Args.map((w) => w.Parts.map((p) => wordText(p, syntax, source)).join('')) });
    }
    return true;
  });
  return { ok: true, calls };
}
