/** The incident status workflow: what records may say and what `.runbook-ops.yaml` may refer to. */

/** Workflow order; `cancelled` is a terminal state outside it (a false alarm). */
export const INCIDENT_WORKFLOW = ['triage', 'acknowledged', 'investigating', 'mitigated', 'resolved', 'closed'] as const;
export const INCIDENT_STATUSES = [...INCIDENT_WORKFLOW, 'cancelled'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
