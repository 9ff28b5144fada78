import * as vscode from 'vscode';
import { ActiveIncident } from './activeIncident';
import { AlertCommands } from './alertCommands';
import { CommandManager } from './commandManager';
import { GIT_CONTENT_SCHEME, GitContentProvider } from './gitContentProvider';
import { IncidentBoard } from './incidentBoardPanel';
import { IncidentCommands } from './incidentCommands';
import { IncidentQuickFixes } from './incidentQuickFixes';
import { IncidentPrompts } from './incidentPrompts';
import { IncidentsTreeProvider, type IncidentsTreeNode } from './incidentsTreeProvider';
import { IncidentWriter } from './incidentWriter';
import { registerMergeDriverCommand } from './mergeDriverCommand';
import { PlaceholderValueStore, scopeToActiveIncident } from './placeholderPrompter';
import { PostmortemDrafts } from './postmortemDrafts';
import { RunbookDocuments } from './runbookDocuments';
import { ReviewDateService } from './reviewDateService';
import { RulebookDiagnostics } from './rulebookDiagnostics';
import { RunbookIndexService } from './runbookIndexService';
import { registerRunbookViewCommands } from './runbookViewCommands';
import { RunbooksTreeProvider, type RunbooksTreeNode } from './runbooksTreeProvider';
import { registerSetUpRepositoryCommand } from './setUpRepositoryCommand';
import { registerStepCommands } from './stepCommands';
import { StepCodeLensProvider } from './stepCodeLensProvider';
import { StepRunner } from './stepRunner';
import { StepsTreeProvider, type StepNode } from './stepsTreeProvider';
import { StepOutputDocuments } from './stepOutputDocuments';
import { StepStateStore } from './stepStateStore';
import { StepTimelineRecorder } from './stepTimelineRecorder';

/**
 * What `activate` returns: the integration tests' window into the extension, and nothing more. Each
 * service shows only the members a test reads (issue 18: the test API narrowed to what the tests
 * read), so a refactor inside a service does not change this surface.
 */
export interface RunbookOpsApi {
  readonly index: Pick<
    RunbookIndexService,
    | 'givenUpProblem'
    | 'hasPendingChanges'
    | 'incidentAt'
    | 'incidents'
    | 'indexSettings'
    | 'mayParse'
    | 'onDidChange'
    | 'onDidChangeGivenUp'
    | 'refreshFile'
    | 'reindex'
    | 'runbookAt'
    | 'runbookCount'
    | 'runbookPaths'
    | 'runbooks'
    | 'snapshot'
  >;
  readonly runbooksTree: Pick<RunbooksTreeProvider, 'filter' | 'getChildren' | 'getTreeItem' | 'onDidChangeTreeData' | 'resolveTreeItem' | 'setFilter'>;
  readonly stepsTree: Pick<StepsTreeProvider, 'getChildren' | 'getTreeItem' | 'runbookUri'>;
  readonly runner: Pick<StepRunner, 'closeSecretTerminals' | 'onDidFinishStep' | 'runSequence' | 'runStep'>;
  readonly stepStates: Pick<StepStateStore, 'get' | 'reset'>;
  readonly placeholderValues: Pick<PlaceholderValueStore, 'clear' | 'get' | 'set'>;
  readonly incidentsTree: Pick<IncidentsTreeProvider, 'getChildren' | 'getTreeItem' | 'onDidChangeTreeData'>;
  readonly activeIncident: Pick<ActiveIncident, 'current' | 'set'>;
  readonly incidentWriter: Pick<IncidentWriter, 'apply'>;
  readonly diagnostics: Pick<RulebookDiagnostics, 'refresh'>;
  readonly reviewDates: Pick<ReviewDateService, 'review'>;
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

/** The composition root: builds every service once, hands each to the context, and registers the commands of each feature. */
export function activate(context: vscode.ExtensionContext): RunbookOpsApi {
  const started = performance.now();
  const activationStartedAt = Date.now();
  const own = <T extends vscode.Disposable>(value: T): T => {
    context.subscriptions.push(value);
    return value;
  };
  const log = own(vscode.window.createOutputChannel('Runbook Ops', { log: true }));
  const commands = own(new CommandManager(log));
  // The summary cache lives in this workspace's storage (none for a window without a folder).
  const index = own(new RunbookIndexService(log, context.storageUri?.scheme === 'file' ? context.storageUri.fsPath : undefined));
  const reviewDates = own(new ReviewDateService(log));
  const runbooksTree = own(new RunbooksTreeProvider(index, reviewDates));
  runbooksTree.attach(own(vscode.window.createTreeView<RunbooksTreeNode>('runbookOps.runbooks', { treeDataProvider: runbooksTree, showCollapseAll: true })));
  const documents = own(new RunbookDocuments(index));
  const stepStates = own(new StepStateStore(context.workspaceState));
  const placeholderValues = new PlaceholderValueStore(context.workspaceState);
  const runner = own(new StepRunner(log, stepStates, placeholderValues));
  const stepsTree = own(new StepsTreeProvider(documents, stepStates));
  stepsTree.attach(own(vscode.window.createTreeView<StepNode>('runbookOps.steps', { treeDataProvider: stepsTree })));
  const codeLens = own(new StepCodeLensProvider(documents));
  own(vscode.languages.registerCodeLensProvider({ language: 'markdown' }, codeLens));
  const activeIncident = own(new ActiveIncident(context.workspaceState, index));
  own(scopeToActiveIncident(placeholderValues, activeIncident));
  const incidentWriter = new IncidentWriter(index, log);
  own(new StepTimelineRecorder(runner, activeIncident, incidentWriter, log));
  const incidentsTree = own(new IncidentsTreeProvider(index, activeIncident));
  own(vscode.window.createTreeView<IncidentsTreeNode>('runbookOps.incidents', { treeDataProvider: incidentsTree, showCollapseAll: true }));
  const incidentPrompts = new IncidentPrompts(index, incidentWriter);
  // The Problems panel: the same rulebook as `runbook-ops check`.
  const diagnostics = own(new RulebookDiagnostics(index, reviewDates));
  own(vscode.languages.registerCodeActionsProvider({ language: 'yaml' }, new IncidentQuickFixes(diagnostics), { providedCodeActionKinds: IncidentQuickFixes.providedCodeActionKinds }));
  const board = own(new IncidentBoard(context.extensionUri, index, incidentWriter, log, incidentPrompts));
  own(vscode.workspace.registerTextDocumentContentProvider(GIT_CONTENT_SCHEME, new GitContentProvider()));

  registerRunbookViewCommands(commands, runbooksTree, index, log);
  const stepOutputs = own(new StepOutputDocuments(stepStates));
  registerStepCommands(commands, runner, documents, stepStates, placeholderValues, () => stepsTree.runbookUri, stepOutputs);
  new IncidentCommands(index, incidentWriter, activeIncident, incidentsTree, log, incidentPrompts, new PostmortemDrafts(index, incidentWriter, log)).register(commands);
  new AlertCommands(index, documents, placeholderValues).register(commands);
  board.registerCommands(commands);
  registerMergeDriverCommand(commands, context.extensionPath, index, log);
  own(registerSetUpRepositoryCommand(commands, context.extensionPath, log));

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
  return { index, runbooksTree, stepsTree, runner, stepStates, placeholderValues, incidentsTree, activeIncident, incidentWriter, diagnostics, reviewDates, storage, activationMs, activationStartedAt, indexed };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
