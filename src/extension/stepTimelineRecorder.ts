import * as vscode from 'vscode';
import { FINISHED_STATUSES } from '../core/incident/incident';
import type { StepRunEvent } from '../core/runbook/stepSequence';
import type { ActiveIncident } from './activeIncident';
import { Disposable } from './dispose';
import type { IncidentWriter } from './incidentWriter';
import type { StepRunner } from './stepRunner';
import { setting } from './configuration';
import { SETTINGS } from './contributions';

/** Every finished step lands on the active incident's timeline as an `action` entry (its command as shown and the last lines it printed, secrets masked). */
export class StepTimelineRecorder extends Disposable {
  constructor(runner: StepRunner, private readonly active: ActiveIncident, private readonly writer: IncidentWriter, private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(runner.onDidFinishStep((event) => this.record(event)));
  }

  private async record(event: StepRunEvent): Promise<void> {
    const active = this.active.current;
    // A record resolved a moment ago whose index update is still on its way: not recorded either.
    if (!active || FINISHED_STATUSES.has(active.incident.status)) return;
    try {
      await this.writer.apply(active.uri, {
        op: 'appendStepAction',
        step: {
          runbook: event.runbook,
          stepId: event.stepId,
          title: event.title,
          command: event.command,
          exitCode: event.exitCode ?? null,
          startedAt: event.startedAt,
          durationMs: event.durationMs,
          // The output is the user's to keep off the record (runbookOps.timeline.recordOutput).
          ...(event.output !== undefined && setting(SETTINGS.timelineRecordOutput) ? { output: event.output } : {}),
        },
      });
    } catch (err) {
      this.log.error(`Could not record ${event.runbook}#${event.stepId} on ${active.incident.id}: ${(err as Error).message}`);
      void vscode.window.showWarningMessage(vscode.l10n.t('The step ran, but recording it on {0} failed: {1}', active.incident.id, (err as Error).message));
    }
  }
}
