// Rows of `npm run bench` for input built to be slow (issue 14): a 1 MB runbook made of the lines
// each parser-facing pattern used to backtrack on, and what the shell parser that decides
// runnability costs (load, one-line and 100-line blocks).
import { spawnSync } from 'node:child_process';
import { parseRunbook } from '../../src/core/runbook/runbook';
import { readShell, shellSyntaxError } from '../../src/core/runbook/shellSyntax';
import { median, type BenchRow } from './benchmarkSuite';

const MB = 1_000_000;

/** Worst-case lines for the runbook parser: the attack strings of test/unit/linearPatterns.test.ts, as a file. */
export function worstCaseRunbook(bytes = MB): string {
  const exports: string[] = [];
  for (let i = 0; i < 50; i++) exports.push(`export ${'GITLAB_GPRD_ADMIN_API_PRIVATE_TOKEN_X'.slice(0, 36)}${String.fromCharCode(65 + (i % 26)).repeat(4)}=CHANGEME`);
  const chunk = [
    `## ${'['.repeat(2000)}`,
    '',
    '```sh',
    ...exports,
    `echo ${'`'.repeat(500)}x`,
    '```',
    '',
    `## ${'-'.repeat(2000)}é`,
    '',
    `- ${'*'.repeat(1500)} item`,
    '',
    `    ${'<'.repeat(1000)}`,
    '',
  ].join('\n');
  const parts = ['# Worst case', ''];
  for (let size = 0; size < bytes; size += chunk.length + 1) parts.push(chunk);
  return parts.join('\n');
}

function timeMs(run: () => unknown): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function benchWorstCase(options: { runs: number; log?: (line: string) => void }): BenchRow[] {
  const text = worstCaseRunbook();
  const rows: BenchRow[] = [];
  for (const fullParse of [false, true]) {
    parseRunbook('worst.md', text, { fullParse });
    const times: number[] = [];
    for (let i = 0; i < options.runs; i++) times.push(timeMs(() => parseRunbook('worst.md', text, { fullParse })));
    rows.push({
      id: fullParse ? 'worst-case-runbook-markdown-it' : 'worst-case-runbook',
      name: `parseRunbook of a ${(text.length / MB).toFixed(1)} MB runbook of worst-case lines (${fullParse ? 'markdown-it path' : 'outline fast path'})`,
      unit: 'ms',
      median: median(times),
      min: Math.min(...times),
      max: Math.max(...times),
      runs: options.runs,
      target: 'linear: about the cost of any 1 MB runbook',
    });
    options.log?.(`worst-case runbook (${fullParse ? 'markdown-it' : 'fast path'}): ${median(times).toFixed(0)} ms`);
  }

  // Loading the parser in a fresh process: what the first ▶ Run of a session pays.
  const loads: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const probe = spawnSync(process.execPath, ['-e', "const t = process.hrtime.bigint(); require('mvdan-sh'); console.log(Number(process.hrtime.bigint() - t) / 1e6)"], { encoding: 'utf8' });
    loads.push(Number(probe.stdout.trim()));
  }
  rows.push({ id: 'shell-parser-load', name: 'Shell parser (mvdan-sh) load in a fresh process', unit: 'ms', median: median(loads), min: Math.min(...loads), max: Math.max(...loads), runs: options.runs });

  const oneLine = 'kubectl -n payments get pods -l app.kubernetes.io/name=checkout-api | grep -v Running';
  const hundred = Array.from({ length: 100 }, (_, i) => `kubectl -n ns-${i} get pods -o json | jq '.items[] | .metadata.name' > /tmp/pods-${i}.txt`).join('\n');
  const cases = [
    ['shell-parser-1-line', 'parse of a one-line block (runnability)', oneLine, shellSyntaxError],
    ['shell-parser-100-lines', 'parse of a 100-line block (runnability)', hundred, shellSyntaxError],
    ['shell-words-100-lines', 'parse and words of a 100-line block (the destructive guard, on Run)', hundred, readShell],
  ] as const;
  for (const [id, label, block, read] of cases) {
    read(block);
    const perBlock: number[] = [];
    for (let r = 0; r < options.runs; r++) perBlock.push(timeMs(() => { for (let i = 0; i < 50; i++) read(block); }) / 50);
    rows.push({ id, name: `Shell parser: ${label}`, unit: 'ms', median: median(perBlock), min: Math.min(...perBlock), max: Math.max(...perBlock), runs: options.runs });
  }
  return rows;
}
