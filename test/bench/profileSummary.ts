// Self time by function from a `node --cpu-prof` profile, biggest first.
//   node out/test/bench/profileSummary.js <file.cpuprofile> [rows=30]
import { readFileSync } from 'node:fs';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  share: number;
}

export function summarizeProfile(profile: CpuProfile): ProfileEntry[] {
  const sampleMs = new Map<number, number>();
  profile.samples.forEach((id, i) => sampleMs.set(id, (sampleMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byName = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const ms = sampleMs.get(node.id) ?? 0;
    total += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? ` ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where}`;
    byName.set(name, (byName.get(name) ?? 0) + ms);
  }
  return [...byName].map(([name, selfMs]) => ({ name, selfMs, share: selfMs / total })).sort((a, b) => b.selfMs - a.selfMs);
}

if (require.main === module) {
  const [file, rows = '30'] = process.argv.slice(2);
  const entries = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  for (const entry of entries.slice(0, Number(rows))) {
    process.stdout.write(`${entry.selfMs.toFixed(0).padStart(7)} ms ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}\n`);
  }
}
