// Rows of `npm run bench` for the merge driver's semantic merge (issue 15): a record with N timeline
// entries and 200 appended on each side, interleaved in time, merged by mergeIncidentTexts.
import { mergeIncidentTexts } from '../../src/core/incident/incidentMerge';
import { median, type BenchRow } from './benchmarkSuite';

function record(entries: number, appended: { by: string; offsetMs: number } | undefined, count: number): string {
  const start = Date.UTC(2026, 10, 23, 9);
  const at = (ms: number): string => new Date(start + ms).toISOString();
  const lines = ['id: INC-0042', 'title: Checkout errors', 'status: investigating', 'severity: SEV2', `declared_at: ${at(0)}`, 'timeline:'];
  for (let i = 0; i < entries; i++) lines.push(`  - at: ${at(i * 1000)}`, '    by: alice', '    kind: note', `    text: entry ${i}`);
  if (appended) for (let i = 0; i < count; i++) lines.push(`  - at: ${at((entries + i) * 1000 + appended.offsetMs)}`, `    by: ${appended.by}`, '    kind: note', `    text: ${appended.by} ${i}`);
  return `${lines.join('\n')}\n`;
}

export function benchMerge(options: { runs: number; log?: (line: string) => void }): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [entries, target] of [[2_000, 'well under 1 s'], [20_000, 'near-linear: about 10× the 2,000-entry row']] as const) {
    const base = record(entries, undefined, 0);
    const ours = record(entries, { by: 'bob', offsetMs: 0 }, 200);
    const theirs = record(entries, { by: 'carol', offsetMs: 500 }, 200);
    const times: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const started = process.hrtime.bigint();
      const outcome = mergeIncidentTexts(base, ours, theirs);
      times.push(Number(process.hrtime.bigint() - started) / 1e9);
      if (outcome.kind !== 'merged' || outcome.conflicts.length > 0) throw new Error(`the ${entries}-entry merge did not merge cleanly`);
    }
    options.log?.(`merge of ${entries} + 200 + 200 entries: ${median(times).toFixed(2)} s`);
    rows.push({ id: `merge-${entries}`, name: `Merge driver (semantic merge): ${entries.toLocaleString('en')} entries + 200 appended on each side`, unit: 's', median: median(times), min: Math.min(...times), max: Math.max(...times), runs: options.runs, target });
  }
  return rows;
}
