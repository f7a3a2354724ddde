// The webhook events, as the Standard Webhooks payload `{type, timestamp, data}` carries them,
// and which notices stand for which event. Pure: the webhook service (src/services/webhooks/)
// reads them off the notices a state change enqueues, in the same transaction.
import type { Notice } from './notices.ts';
import type { StepContext } from './step-context.ts';
import type { Run } from './types.ts';
import type { WebhookEventType } from './webhook-notices.ts';

export {
  WEBHOOK_EVENT_TYPES,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookNotice,
  type WebhookPausedNotice,
} from './webhook-notices.ts';

/** An event read off a notice, with the users and groups it concerns (for one user's subscriptions). */
export interface EventIntent {
  type: WebhookEventType;
  runId: string;
  /** The step whose full context `step.assigned` carries. */
  stepKey: string | null;
  data: Record<string, unknown>;
  concerns: string[];
}

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** Everyone who may act on the step now: its assignees for every role. */
function assigneesOf(run: Pick<Run, 'steps'> | null, stepKey: string): string[] {
  const step = run?.steps.find((s) => s.key === stepKey);
  return step ? [...new Set(Object.values(step.assignees).flat())] : [];
}

type StepNotice = { runId: string; stepKey: string; stepTitle: string; by: string };

const stepEvent = (type: WebhookEventType, n: StepNotice) => ({ type, runId: n.runId, stepKey: n.stepKey });

/** What every event about one step and who acted says. */
const stepData = (n: StepNotice) => ({
  run_id: n.runId,
  step_key: n.stepKey,
  step_title: n.stepTitle,
  by: n.by,
});

/** Everyone who held a step of the run, and its requester. */
function everyoneOf(run: Pick<Run, 'steps' | 'requester'> | null): string[] {
  if (!run) return [];
  return [...new Set([run.requester, ...run.steps.flatMap((s) => Object.values(s.assignees).flat())])];
}

/**
 * The event a notice stands for, if any. `run`: the run after the change (who holds its steps).
 * `step.assigned`'s data is the step's context, filled in by the caller.
 */
export function eventOfNotice(
  notice: Notice,
  run: Pick<Run, 'steps' | 'requester'> | null,
): EventIntent | null {
  switch (notice.type) {
    case 'handoff':
      return {
        type: 'step.assigned',
        runId: notice.runId,
        stepKey: notice.stepKey,
        data: { phase: notice.phase },
        concerns: notice.mentions.flatMap((m) => m.principals),
      };
    case 'step_done':
      return {
        ...stepEvent('step.completed', notice),
        data: { ...stepData(notice), output: notice.output, gate_passed: notice.gatePassed },
        concerns: [...assigneesOf(run, notice.stepKey), notice.by],
      };
    case 'blocked':
      return {
        ...stepEvent('run.blocked', notice),
        data: {
          ...stepData(notice),
          role: notice.role,
          reason: notice.reason,
          gate_failed: notice.gateFailed,
          lifted_by: notice.liftedBy,
        },
        concerns: assigneesOf(run, notice.stepKey),
      };
    case 'completed':
    case 'rejected':
    case 'cancelled':
      return {
        type: 'run.closed',
        runId: notice.runId,
        stepKey: null,
        data: {
          run_id: notice.runId,
          status: notice.type === 'completed' ? 'done' : notice.type,
          ...(notice.type === 'completed' ? { duration_ms: notice.durationMs } : {}),
          ...(notice.type === 'rejected'
            ? { step_key: notice.stepKey, by: notice.by, reason: notice.reason }
            : {}),
          ...(notice.type === 'cancelled' ? { by: notice.by, reason: notice.reason } : {}),
        },
        concerns: everyoneOf(run),
      };
    case 'reminder':
    case 'escalation': {
      const base = {
        run_id: notice.runId,
        run_title: notice.runTitle,
        step_key: notice.stepKey,
        step_title: notice.stepTitle,
        phase: notice.phase,
        owners: notice.owners.map((o) => o.role),
        assignees: [...new Set(notice.owners.flatMap((o) => o.principals))],
        due_at: iso(notice.deadlineAt),
        regime: notice.regime,
      };
      return {
        type: notice.type === 'reminder' ? 'step.reminded' : 'step.escalated',
        runId: notice.runId,
        stepKey: notice.stepKey,
        data:
          notice.type === 'reminder'
            ? base
            : {
                ...base,
                escalated_to: notice.escalatedTo.map((e) => ({
                  role: e.role,
                  tier: e.tier,
                  from: e.from,
                  principals: e.principals,
                })),
              },
        concerns: notice.owners.flatMap((o) => o.principals),
      };
    }
    default:
      return null;
  }
}

/** The data of `step.assigned`: the step's full context and why it came (owners, approval, reassigned). */
export const assignedData = (context: StepContext, phase: unknown): Record<string, unknown> => ({
  ...context,
  phase,
});
