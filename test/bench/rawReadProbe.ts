// The raw read as a whole process, the baseline of the whole-process `runbook-ops index` rows: a fresh
// node lists the repository the way the index does and reads every file, nothing else.
//   node out/test/bench/rawReadProbe.js <root>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listRepositoryFiles } from '../../src/fs/repositoryFiles';

const root = process.argv[2];
if (!root) throw new Error('usage: rawReadProbe <root>');
let bytes = 0;
for (const path of listRepositoryFiles(root)) bytes += readFileSync(join(root, path)).length;
process.stdout.write(`${bytes}\n`);
