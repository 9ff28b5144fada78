import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { boardCard, boardConfig, boardMetrics, incidentDetail } from '../core/board/boardModel';
import type { IncidentEditOperation } from '../core/incident/incidentEdit';
import { summarizeIncident, type IncidentSummary } from '../core/incident/incidentSummary';
import { validateIncident } from '../core/incident/incidentValidation';
import { DEFAULT_REPO_CONFIG } from '../core/config/repoConfig';
import { isBoardRequest, isWebviewMessage, type BoardCard, type BoardConfig, type BoardRequest, type HostMessage, type IncidentDetail, type WebviewMessage } from '../core/board/protocol';
import type { IncidentPrompts } from './incidentPrompts';
import type { IncidentWriter } from './incidentWriter';
import type { LocatedIncident, RunbookIndexService } from './runbookIndexService';
import type { CommandManager } from './commandManager';
import { COMMAND } from './contributions';
import { Disposable } from './dispose';
import type { IncidentsTreeNode } from './incidentsTreeProvider';

export const BOARD_VIEW_TYPE = 'runbookOps.board';

/**
 * Hosts the incident board webview (webview/board): sends cards and metrics from the index, pushes
 * only the cards that changed when files change, and carries out the board's requests through the
 * same {@link IncidentWriter} path as the sidebar, so a drag is the same minimal YAML edit.
 */
export class IncidentBoard extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  /**
   * Card key → the index summary and the card JSON last sent. The index keeps a file's summary object
   * until the file changes, so an unchanged incident is skipped without rebuilding its card.
   */
  private sent = new Map<string, { incident: IncidentSummary; json: string }>();
  private sentConfig = '';
  private ready = false;
  private snapshotSent = false;
  private pendingReveal: string | undefined;
  /** The incident whose detail the drawer last asked for: told when its record changes beyond its card. */
  private detailKey: string | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly index: RunbookIndexService,
    private readonly writer: IncidentWriter,
    private readonly log: vscode.LogOutputChannel,
    private readonly prompts: IncidentPrompts,
  ) {
    super();
    this.register(index.onDidChange(() => this.pushChanges()));
    this.register(vscode.window.registerWebviewPanelSerializer(BOARD_VIEW_TYPE, new IncidentBoardSerializer(this)));
  }

  registerCommands(commands: CommandManager): void {
    commands.add(COMMAND.openIncidentBoard, () => this.show());
    // From the Incidents view's context menu: the board with that incident's drawer open.
    commands.add(COMMAND.openIncidentOnBoard, (target?: IncidentsTreeNode | vscode.Uri) => {
      this.show(target instanceof vscode.Uri ? target : target?.kind === 'incident' ? target.entry.uri : undefined);
    });
  }

  /** Opens (or reveals) the board; with `uri`, also opens that incident's drawer. */
  show(uri?: vscode.Uri): void {
    if (this.panel) this.panel.reveal();
    else this.attach(vscode.window.createWebviewPanel(BOARD_VIEW_TYPE, vscode.l10n.t('Incident Board'), vscode.ViewColumn.Active, this.panelOptions()));
    if (uri) this.reveal(uri.toString());
  }

  /** For the serializer: the panel VS Code restored after a reload (its webview state is restored by the webview itself). */
  restore(panel: vscode.WebviewPanel): void {
    panel.webview.options = this.panelOptions();
    this.attach(panel);
  }

  private panelOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Hidden boards keep their DOM: switching tabs during an incident must not lose the drawer or the scroll.
      retainContextWhenHidden: true,
      localResourceRoots: [this.bundleRoot()],
    };
  }

  private bundleRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    this.snapshotSent = false;
    this.sent = new Map();
    this.sentConfig = '';
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'runbook-ops.svg');
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      panel.onDidDispose(() => {
        this.panel = undefined;
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
      }),
    ];
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.bundleRoot(), name)).toString();
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet" nonce="${nonce}">
<link rel="stylesheet" href="${asset('board.css')}" nonce="${nonce}">
<title>${vscode.l10n.t('Incident Board')}</title>
</head>
<body>
<div id="board-root"></div>
<script nonce="${nonce}" src="${asset('board.js')}"></script>
</body>
</html>`;
  }

  private post(message: HostMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  /** Severities and labels of the first folder's repo config (a multi-root board shares one legend). */
  private config(): BoardConfig {
    const first = vscode.workspace.workspaceFolders?.[0];
    return boardConfig(first ? this.index.configFor(first.uri) : DEFAULT_REPO_CONFIG);
  }

  private sendSnapshot(): void {
    this.snapshotSent = true;
    const located = this.index.incidents();
    const cards = located.map((entry) => boardCard(entry.incident, entry.uri.toString()));
    this.sent = new Map(cards.map((card, i) => [card.key, { incident: located[i].incident, json: JSON.stringify(card) }]));
    const config = this.config();
    this.sentConfig = JSON.stringify(config);
    const now = new Date();
    this.post({ type: 'snapshot', cards, config, metrics: boardMetrics(located.map((e) => e.incident), now), now: now.toISOString() });
    if (this.pendingReveal) this.post({ type: 'reveal', key: this.pendingReveal });
    this.pendingReveal = undefined;
  }

  /** After an index change: only the cards whose data differ, plus fresh metrics. */
  private pushChanges(): void {
    if (!this.panel || !this.ready || !this.index.isReady) return;
    if (!this.snapshotSent || JSON.stringify(this.config()) !== this.sentConfig) {
      this.sendSnapshot();
      return;
    }
    const located = this.index.incidents();
    const upserted: BoardCard[] = [];
    const seen = new Set<string>();
    let detailChanged = false;
    for (const entry of located) {
      const key = entry.uri.toString();
      seen.add(key);
      const previous = this.sent.get(key);
      if (previous?.incident === entry.incident) continue;
      detailChanged ||= key === this.detailKey;
      const card = boardCard(entry.incident, key);
      const json = JSON.stringify(card);
      // A rebuilt index has new objects for unchanged files: only a different card is sent.
      if (previous?.json !== json) upserted.push(card);
      this.sent.set(key, { incident: entry.incident, json });
    }
    const removed = [...this.sent.keys()].filter((key) => !seen.has(key));
    for (const key of removed) this.sent.delete(key);
    // The drawer refreshes with its card; a change its card does not show is said on its own.
    if (detailChanged && this.detailKey !== undefined && !upserted.some((c) => c.key === this.detailKey)) this.post({ type: 'detailChanged', key: this.detailKey });
    if (upserted.length === 0 && removed.length === 0) return;
    const now = new Date();
    this.post({ type: 'cardsChanged', upserted, removed, metrics: boardMetrics(located.map((e) => e.incident), now), now: now.toISOString() });
  }

  private reveal(key: string): void {
    if (this.snapshotSent) this.post({ type: 'reveal', key });
    else this.pendingReveal = key;
  }

  private async receive(message: unknown): Promise<void> {
    if (!isWebviewMessage(message)) {
      this.log.warn(`Incident board: ignored a malformed message ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    if (isBoardRequest(message)) {
      try {
        const detail = await this.handle(message);
        this.post({ type: 'reply', requestId: message.requestId, ok: true, ...(detail ? { detail } : {}) });
      } catch (err) {
        this.log.info(`Incident board: ${message.type} refused: ${(err as Error).message}`);
        this.post({ type: 'reply', requestId: message.requestId, ok: false, error: (err as Error).message });
      }
      return;
    }
    try {
      await this.notify(message);
    } catch (err) {
      // Opening a record that was deleted meanwhile, a link VS Code refuses: say so, never reject silently.
      this.log.warn(`Incident board: ${message.type} failed: ${(err as Error).message}`);
      void vscode.window.showErrorMessage((err as Error).message);
    }
  }

  private async notify(message: Exclude<WebviewMessage, BoardRequest>): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        // After a window reload the board can be restored before the first index build is done:
        // an empty snapshot would drop the restored drawer, so the snapshot waits for the index.
        if (this.index.isReady) this.sendSnapshot();
        return;
      case 'openRecord': {
        const entry = this.entry(message.key);
        await vscode.window.showTextDocument(entry.uri, { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return;
      }
      case 'draftPostmortem':
        // Beside the board, as the record and runbooks open from it.
        await vscode.commands.executeCommand(COMMAND.draftPostmortem, this.entry(message.key).uri, true);
        return;
      case 'openRunbook': {
        const entry = this.entry(message.key);
        const target = path.posix.normalize(message.path.trim().replace(/^\.\//, '').split('#')[0]);
        // The path comes from the record (untrusted content): stay inside the repository.
        if (target.startsWith('../') || target === '..' || path.posix.isAbsolute(target)) {
          void vscode.window.showErrorMessage(vscode.l10n.t('{0} is outside the repository; not opened.', message.path));
          return;
        }
        await vscode.window.showTextDocument(vscode.Uri.joinPath(entry.folder.uri, ...target.split('/')), { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return;
      }
      case 'openLink': {
        const uri = vscode.Uri.parse(message.url, true);
        // Only web links: a record must not be able to open file: or command: URIs.
        if (uri.scheme === 'https' || uri.scheme === 'http') await vscode.env.openExternal(uri);
        return;
      }
    }
  }

  private entry(key: string): LocatedIncident {
    const entry = this.index.incidentAt(vscode.Uri.parse(key, true));
    if (!entry) throw new Error(vscode.l10n.t('That incident record no longer exists.'));
    return entry;
  }

  private async handle(request: BoardRequest): Promise<IncidentDetail | undefined> {
    const entry = this.entry(request.key);
    switch (request.type) {
      case 'getDetail':
        this.detailKey = request.key;
        return this.detail(entry);
      case 'moveIncident': {
        // The same questions as the sidebar (why it is reopened, how it was resolved, who commands it); Escape moves nothing.
        const operation = await this.prompts.statusChange(entry, request.status);
        if (operation) await this.edit(entry, operation);
        return undefined;
      }
      case 'addNote':
        await this.edit(entry, { op: 'addNote', text: request.text });
        return this.detail(entry);
      case 'addActionItem': {
        const op: IncidentEditOperation = { op: 'addActionItem', title: request.title };
        if (request.owner?.trim()) op.owner = request.owner.trim();
        if (request.due?.trim()) op.due = request.due.trim();
        await this.edit(entry, op);
        return this.detail(entry);
      }
      case 'setActionItemStatus':
        await this.edit(entry, { op: 'setActionItemStatus', id: request.itemId, status: request.status });
        return this.detail(entry);
    }
  }

  /** Reads the record as the user sees it: the editor's text when it is open, else the file. */
  private async currentText(uri: vscode.Uri): Promise<string> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    return open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  }

  /** Through the writer, like the sidebar: it refuses (and says why, shown on the card) an edit that would make the record invalid. */
  private async edit(entry: LocatedIncident, operation: IncidentEditOperation): Promise<void> {
    await this.writer.apply(entry.uri, operation);
  }

  private async detail(entry: LocatedIncident): Promise<IncidentDetail> {
    // A record an index worker gave up on: its index entry (the problem) only, not parsed here.
    if (!(await this.index.mayParseNow(entry.uri))) return incidentDetail(entry.incident, undefined, entry.uri.toString());
    const text = await this.currentText(entry.uri);
    const validation = validateIncident(entry.incident.path, text, { config: entry.config, runbookPaths: this.index.runbookPaths(entry.folder) });
    return incidentDetail(summarizeIncident(validation), validation.record, entry.uri.toString());
  }

  override dispose(): void {
    this.panel?.dispose();
    super.dispose();
  }
}

/** Restores the board after a window reload (the webview restores its own filters and scroll from `getState`). */
class IncidentBoardSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly board: IncidentBoard) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    this.board.restore(panel);
  }
}
