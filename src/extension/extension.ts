import * as vscode from 'vscode';
import { FINISHED_STATUSES } from '../core/incident';
import { ActiveIncident } from './activeIncident';
import { GIT_CONTENT_SCHEME, GitContentProvider } from './gitContentProvider';
import { BOARD_VIEW_TYPE, IncidentBoard, IncidentBoardSerializer } from './incidentBoardPanel';
import { IncidentCommands } from './incidentCommands';
import { IncidentQuickFixes } from './incidentQuickFixes';
import { IncidentPrompts } from './incidentPrompts';
import { IncidentsTreeProvider, type IncidentsTreeNode } from './incidentsTreeProvider';
import { IncidentWriter } from './incidentWriter';
import { registerMergeDriverCommand } from './mergeDriverCommand';
import { PlaceholderValueStore } from './placeholderPrompter';
import { RunbookDocuments } from './runbookDocuments';
import { ReviewDateService } from './reviewDateService';
import { RulebookDiagnostics } from './rulebookDiagnostics';
import { RunbookIndexService } from './runbookIndexService';
import { RunbooksTreeProvider, type RunbooksTreeNode } from './runbooksTreeProvider';
import { scaffoldSampleRepository } from './sampleScaffold';
import { registerStepCommands } from './stepCommands';
import { StepCodeLensProvider } from './stepCodeLensProvider';
import { StepRunner } from './stepRunner';
import { StepsTreeProvider, type StepNode } from './stepsTreeProvider';
import { StepStateStore } from './stepStateStore';

/** What `activate` returns: used by the integration tests and by other extensions. */
export interface RunbookOpsApi {
  readonly index: RunbookIndexService;
  readonly runbooksTree: RunbooksTreeProvider;
  readonly stepsTree: StepsTreeProvider;
  readonly runner: StepRunner;
  readonly stepStates: StepStateStore;
  readonly placeholderValues: PlaceholderValueStore;
  readonly incidentsTree: IncidentsTreeProvider;
  readonly activeIncident: ActiveIncident;
  readonly incidentWriter: IncidentWriter;
  readonly diagnostics: RulebookDiagnostics;
  readonly board: IncidentBoard;
  readonly reviewDates: ReviewDateService;
  /** Everywhere the extension may keep state, so a test can check that a secret reaches none of it. */
  readonly storage: {
    readonly storageUri: vscode.Uri | undefined;
    readonly globalStorageUri: vscode.Uri;
    readonly logUri: vscode.Uri;
    readonly workspaceState: vscode.Memento;
    readonly globalState: vscode.Memento;
  };
  /** How long `activate()` itself took, in milliseconds. */
  readonly activationMs: number;
  /** When `activate()` started (epoch ms), to time what follows it (`npm run bench`). */
  readonly activationStartedAt: number;
  /** Resolves when the first full index build has finished. */
  readonly indexed: Promise<void>;
}

/** The composition root: builds every service once and hands each disposable to the context. */
export function activate(context: vscode.ExtensionContext): RunbookOpsApi {
  const started = performance.now();
  const activationStartedAt = Date.now();
  const log = vscode.window.createOutputChannel('Runbook Ops', { log: true });
  // The summary cache lives in this workspace's storage (none for a window without a folder).
  const index = new RunbookIndexService(log, context.storageUri?.scheme === 'file' ? context.storageUri.fsPath : undefined);
  const reviewDates = new ReviewDateService(log);
  const runbooksTree = new RunbooksTreeProvider(index, reviewDates);
  const runbooksView = vscode.window.createTreeView<RunbooksTreeNode>('runbookOps.runbooks', {
    treeDataProvider: runbooksTree,
    showCollapseAll: true,
  });
  runbooksTree.attach(runbooksView);
  const documents = new RunbookDocuments(index);
  const stepStates = new StepStateStore(context.workspaceState);
  const placeholderValues = new PlaceholderValueStore(context.workspaceState);
  const runner = new StepRunner(log, stepStates, placeholderValues);
  const stepsTree = new StepsTreeProvider(documents, stepStates);
  const stepsView = vscode.window.createTreeView<StepNode>('runbookOps.steps', { treeDataProvider: stepsTree });
  stepsTree.attach(stepsView);
  const codeLens = new StepCodeLensProvider(documents);
  const activeIncident = new ActiveIncident(context.workspaceState, index);
  const incidentWriter = new IncidentWriter(index, log);
  const incidentsTree = new IncidentsTreeProvider(index, activeIncident);
  const incidentsView = vscode.window.createTreeView<IncidentsTreeNode>('runbookOps.incidents', { treeDataProvider: incidentsTree, showCollapseAll: true });
  const incidentPrompts = new IncidentPrompts(index, incidentWriter);
  const incidentCommands = new IncidentCommands(index, incidentWriter, activeIncident, incidentsTree, log, incidentPrompts);
  const board = new IncidentBoard(context.extensionUri, index, incidentWriter, log, incidentPrompts);
  // The Problems panel: the same rulebook as `runbook-ops check`.
  const diagnostics = new RulebookDiagnostics(index, reviewDates);
  // Values typed for placeholders belong to the incident they were typed for.
  const scopePlaceholders = (): void => {
    placeholderValues.scope = activeIncident.current?.incident.id ?? '';
  };
  scopePlaceholders();

  context.subscriptions.push(
    log,
    index,
    reviewDates,
    runbooksTree,
    runbooksView,
    documents,
    stepStates,
    runner,
    stepsTree,
    stepsView,
    codeLens,
    vscode.languages.registerCodeLensProvider({ language: 'markdown' }, codeLens),
    ...registerStepCommands(runner, documents, stepStates, placeholderValues, () => stepsTree.runbookUri),
    activeIncident,
    incidentsTree,
    incidentsView,
    diagnostics,
    ...incidentCommands.register(),
    board,
    vscode.window.registerWebviewPanelSerializer(BOARD_VIEW_TYPE, new IncidentBoardSerializer(board)),
    vscode.commands.registerCommand('runbookOps.openIncidentBoard', () => board.show()),
    // From the Incidents view's context menu: the board with that incident's drawer open.
    vscode.commands.registerCommand('runbookOps.openIncidentOnBoard', (target?: IncidentsTreeNode | vscode.Uri) => {
      board.show(target instanceof vscode.Uri ? target : target?.kind === 'incident' ? target.entry.uri : undefined);
    }),
    activeIncident.onDidChange(scopePlaceholders),
    vscode.languages.registerCodeActionsProvider({ language: 'yaml' }, new IncidentQuickFixes(diagnostics), { providedCodeActionKinds: IncidentQuickFixes.providedCodeActionKinds }),
    vscode.workspace.registerTextDocumentContentProvider(GIT_CONTENT_SCHEME, new GitContentProvider()),
    // Every finished step lands on the active incident's timeline as an `action` entry.
    runner.onDidFinishStep(async (event) => {
      const active = activeIncident.current;
      // A record resolved a moment ago whose index update is still on its way: not recorded either.
      if (!active || FINISHED_STATUSES.has(active.incident.status)) return;
      try {
        await incidentWriter.apply(active.uri, {
          op: 'appendStepAction',
          step: { runbook: event.runbook, stepId: event.stepId, title: event.title, command: event.command, exitCode: event.exitCode ?? null, startedAt: event.startedAt, durationMs: event.durationMs },
        });
      } catch (err) {
        log.error(`Could not record ${event.runbook}#${event.stepId} on ${active.incident.id}: ${(err as Error).message}`);
        void vscode.window.showWarningMessage(vscode.l10n.t('The step ran, but recording it on {0} failed: {1}', active.incident.id, (err as Error).message));
      }
    }),
    vscode.commands.registerCommand('runbookOps.openRunbook', async (uri: vscode.Uri, line?: number) => {
      const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
      await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preview: true });
    }),
    vscode.commands.registerCommand('runbookOps.filterRunbooks', async () => {
      const text = await vscode.window.showInputBox({
        title: vscode.l10n.t('Filter Runbooks'),
        prompt: vscode.l10n.t('Words to find in titles, paths, services, tags, alerts and headings (empty clears the filter)'),
        value: runbooksTree.filter,
      });
      if (text !== undefined) runbooksTree.setFilter(text);
    }),
    vscode.commands.registerCommand('runbookOps.clearRunbookFilter', () => runbooksTree.setFilter('')),
    vscode.commands.registerCommand('runbookOps.reindex', () => index.reindex()),
    vscode.commands.registerCommand('runbookOps.scaffoldSample', () => scaffoldSampleRepository(log)),
    registerMergeDriverCommand(context.extensionPath, index, log),
  );

  // Indexing reads every runbook: start it after activate() returns so the extension host is not held up.
  const indexed = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => index.start()).catch((err: unknown) => {
    log.error(`Indexing failed: ${(err as Error).stack ?? String(err)}`);
  });
  // Dates from git fill in after the index; one git log per folder, never on the activation path.
  void indexed.then(() => reviewDates.start()).catch((err: unknown) => {
    log.error(`Reading review dates failed: ${(err as Error).stack ?? String(err)}`);
  });
  const activationMs = performance.now() - started;
  log.info(`activate() took ${activationMs.toFixed(1)} ms`);
  const storage = { storageUri: context.storageUri, globalStorageUri: context.globalStorageUri, logUri: context.logUri, workspaceState: context.workspaceState, globalState: context.globalState };
  return { index, runbooksTree, stepsTree, runner, stepStates, placeholderValues, incidentsTree, activeIncident, incidentWriter, diagnostics, board, reviewDates, storage, activationMs, activationStartedAt, indexed };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
