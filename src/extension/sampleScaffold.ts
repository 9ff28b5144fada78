import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { createFileAtomic } from '../fs/atomicWrite';
import { realPathInWorkspace } from './incidentWriter';

/** The smallest useful layout: a repo config, one runbook with steps and placeholders, an incidents folder. */
const SAMPLE_FILES: Record<string, string> = {
  '.runbook-ops.yaml': `# Runbook Ops repository configuration. See the Runbook Ops README for every key.
severities:
  - { name: SEV1, rank: 1, colour: "#d73a49", label: Critical }
  - { name: SEV2, rank: 2, colour: "#e36209", label: Major }
  - { name: SEV3, rank: 3, colour: "#dbab09", label: Minor }
  - { name: SEV4, rank: 4, colour: "#0366d6", label: Low }
id_format: INC-{seq:4}
review_interval: 90d
`,
  'runbooks/example-service/restart.md': `---
title: Restart example-service
services: [example-service]
owner: "@your-org/your-team"
tags: [restart]
review_every: 90d
variables:
  instance: { description: Instance to restart, default: example-1 }
---
# Restart example-service

## Diagnosis

1. Check the service is really down:
   \`\`\`sh
   echo "checking {{instance}}"; date
   \`\`\`

## Mitigation

\`\`\`sh {name=restart confirm}
echo "restarting {{instance}}"
\`\`\`
`,
  'incidents/.gitkeep': '',
};

/** Writes the sample layout into the first workspace folder; existing files are left untouched. */
export async function scaffoldSampleRepository(log: vscode.LogOutputChannel): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Open a folder first: the sample runbook repository is created inside it.'));
    return;
  }
  const written: string[] = [];
  for (const [relative, content] of Object.entries(SAMPLE_FILES)) {
    const uri = vscode.Uri.joinPath(folder.uri, ...relative.split('/'));
    if (uri.scheme === 'file') {
      // Complete or not at all, never over an existing file, never through a link out of the folder.
      const real = await realPathInWorkspace(folder.uri.fsPath, uri);
      await mkdir(dirname(real), { recursive: true });
      if (await createFileAtomic(real, content)) written.push(relative);
      continue;
    }
    try {
      await vscode.workspace.fs.stat(uri);
      continue;
    } catch {
      // does not exist yet: create it
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
    written.push(relative);
  }
  log.info(`Sample repository: wrote ${written.length ? written.join(', ') : 'nothing (all files existed)'}`);
  const runbook = vscode.Uri.joinPath(folder.uri, 'runbooks', 'example-service', 'restart.md');
  await vscode.window.showTextDocument(runbook);
}
