/**
 * Reading shell text with a real parser: mvdan/sh (bash grammar), as the GopherJS build `mvdan-sh`.
 * Chosen over `sh-syntax` (the same parser compiled to WebAssembly): its AST has no command words, a
 * new instance per call costs 6 ms, and a reused one crashed after ~1,000–3,000 parses. mvdan-sh is
 * synchronous, loads in ~100 ms and parses a one-line block in ~0.2 ms, so it is loaded on first use
 * (never by the index, which keeps its fast heuristics) and only steps offered to run are parsed.
 */
import { join } from 'node:path';

// The bundles ship mvdan-sh as its own file beside them (esbuild.mjs copies it; it is 1.5 MB and
// most sessions never parse a step); the unbundled test build loads it from node_modules.
declare const MVDAN_SH_BESIDE_BUNDLE: boolean;

interface ShPos { Offset(): number; Line(): number; Col(): number }
interface ShNode { Pos(): ShPos; End(): ShPos }
interface ShWordPart extends ShNode { Value?: string; Parts?: ShWordPart[] }
interface ShWord extends ShNode { Parts: ShWordPart[] }
interface ShRedirect extends ShNode { OpPos: ShPos; N: unknown }
interface ShCallExpr extends ShNode { Args: ShWord[] }
interface ShStmt extends ShNode { Cmd: ShNode | null; Redirs: ShRedirect[] }
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
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, from beside the bundle */
  const module = (MVDAN_SH_BESIDE_BUNDLE ? require(join(__dirname, 'mvdan-sh.js')) : require('mvdan-sh')) as { syntax: ShSyntax };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const syntax = module.syntax;
  const instance = syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(false));
  parser = { parse: (source) => instance.Parse(source, ''), syntax };
  return parser;
}

/** One simple command as the shell sees it: its words with quoting removed. */
export interface ShellCall {
  words: string[];
  /** 1-based line of the command within the parsed text. */
  line: number;
}

export type ShellReading =
  | {
    ok: true;
    calls: ShellCall[];
    /** 1-based lines that begin with a bare `>` redirect followed by a command: a redis-cli or mongo prompt, not shell. */
    promptLikeLines: number[];
  }
  | { ok: false; line: number; column: number; message: string };

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

/** Parses `source` as bash. Never throws: text the parser rejects comes back with where and why. */
export function readShell(source: string): ShellReading {
  const { parse, syntax } = loadParser();
  let file: ShNode;
  try {
    file = parse(source);
  } catch (err) {
    const parseError = err as Partial<ShParseError>;
    if (typeof parseError.Error !== 'function' || parseError.Pos === undefined) throw err;
    return { ok: false, line: parseError.Pos.Line(), column: parseError.Pos.Col(), message: parseError.Text ?? parseError.Error() };
  }
  const calls: ShellCall[] = [];
  const promptLikeLines: number[] = [];
  syntax.Walk(file, (node) => {
    if (node === null) return true;
    const type = syntax.NodeType(node);
    if (type === 'CallExpr') {
      const call = node as ShCallExpr;
      if (call.Args.length > 0) calls.push({ words: call.Args.map((w) => w.Parts.map((p) => wordText(p, syntax, source)).join('')), line: call.Pos().Line() });
    } else if (type === 'Stmt') {
      const stmt = node as ShStmt;
      const first = stmt.Redirs[0];
      // `> CONFIG SET x` is `SET x` with its output sent to a file named CONFIG: what a pasted
      // redis-cli session turns into. A statement that starts with `>` at the start of its line and
      // goes on to a command is read as such a prompt; `> file` alone (truncating a file) is not.
      if (first !== undefined && first.N === null && stmt.Cmd !== null && first.OpPos.Offset() === stmt.Pos().Offset()
        && source[first.OpPos.Offset()] === '>' && atLineStart(source, first.OpPos.Offset())) {
        promptLikeLines.push(first.OpPos.Line());
      }
    }
    return true;
  });
  return { ok: true, calls, promptLikeLines };
}

function atLineStart(source: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = source[i];
    if (c === '\n') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}
