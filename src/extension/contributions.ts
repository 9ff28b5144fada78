import { DEFAULT_PARSE_BUDGET_MS } from '../core/index/parseBudget';
import { DEFAULT_LAYOUT } from '../core/config/paths';

// No `vscode` import: the unit tests compare these lists with package.json.

/**
 * The ids of every command the extension registers: those package.json contributes, and the few only
 * CodeLens, tree items and other commands call. A unit test checks this list against package.json.
 */
export const COMMAND = {
  filterRunbooks: 'runbookOps.filterRunbooks',
  clearRunbookFilter: 'runbookOps.clearRunbookFilter',
  reindex: 'runbookOps.reindex',
  openRunbook: 'runbookOps.openRunbook',
  scaffoldSample: 'runbookOps.scaffoldSample',
  runStep: 'runbookOps.runStep',
  runFromHere: 'runbookOps.runFromHere',
  runAll: 'runbookOps.runAll',
  runStepsByTag: 'runbookOps.runStepsByTag',
  copyStep: 'runbookOps.copyStep',
  revealStep: 'runbookOps.revealStep',
  showStepOutput: 'runbookOps.showStepOutput',
  resetStepStates: 'runbookOps.resetStepStates',
  clearPlaceholderValues: 'runbookOps.clearPlaceholderValues',
  findRunbookForAlert: 'runbookOps.findRunbookForAlert',
  declareIncidentFromAlert: 'runbookOps.declareIncidentFromAlert',
  declareIncident: 'runbookOps.declareIncident',
  acknowledgeIncident: 'runbookOps.acknowledgeIncident',
  updateIncidentStatus: 'runbookOps.updateIncidentStatus',
  addIncidentNote: 'runbookOps.addIncidentNote',
  assignCommander: 'runbookOps.assignCommander',
  addActionItem: 'runbookOps.addActionItem',
  resolveIncident: 'runbookOps.resolveIncident',
  reopenIncident: 'runbookOps.reopenIncident',
  setActiveIncident: 'runbookOps.setActiveIncident',
  switchActiveIncident: 'runbookOps.switchActiveIncident',
  openIncident: 'runbookOps.openIncident',
  showIncidentHistory: 'runbookOps.showIncidentHistory',
  draftPostmortem: 'runbookOps.draftPostmortem',
  commitIncidentUpdate: 'runbookOps.commitIncidentUpdate',
  installMergeDriver: 'runbookOps.installMergeDriver',
  setUpRepository: 'runbookOps.setUpRepository',
  toggleClosedIncidents: 'runbookOps.toggleClosedIncidents',
  openIncidentBoard: 'runbookOps.openIncidentBoard',
  openIncidentOnBoard: 'runbookOps.openIncidentOnBoard',
} as const;

export type CommandId = (typeof COMMAND)[keyof typeof COMMAND];

/** Every setting, with the default package.json declares for it (a unit test checks both against package.json). */
export const SETTINGS = {
  runbooksInclude: { key: 'runbookOps.runbooks.include', default: DEFAULT_LAYOUT.runbookInclude as readonly string[] },
  runbooksExclude: { key: 'runbookOps.runbooks.exclude', default: DEFAULT_LAYOUT.runbookExclude as readonly string[] },
  runbooksGroupBy: { key: 'runbookOps.runbooks.groupBy', default: 'service' as 'service' | 'folder' | 'tag' },
  codeLensEnabled: { key: 'runbookOps.codeLens.enabled', default: true as boolean },
  confirmAllSteps: { key: 'runbookOps.confirm.allSteps', default: false as boolean },
  indexParseBudget: { key: 'runbookOps.index.parseBudget', default: DEFAULT_PARSE_BUDGET_MS as number },
  terminalReuse: { key: 'runbookOps.terminal.reuse', default: 'perRunbook' as 'perRunbook' | 'shared' },
  terminalShellIntegrationTimeout: { key: 'runbookOps.terminal.shellIntegrationTimeout', default: 5000 as number },
  userName: { key: 'runbookOps.user.name', default: '' as string },
  gitBranchPerIncident: { key: 'runbookOps.git.branchPerIncident', default: false as boolean },
  timelineRecordOutput: { key: 'runbookOps.timeline.recordOutput', default: true as boolean },
} as const;

export type Setting = (typeof SETTINGS)[keyof typeof SETTINGS];
