// What an owner (a person or an agent) needs to do a step, and nothing else to look up: the
// request, what the step expects, its gate and deadline, and the outputs of the steps before it.
// One shape for every surface: Slack's handoff (its text and its message metadata), the HTTP
// API's `/me/steps`, the `step.assigned` webhook and the MCP tools. Field names are snake_case:
// this is a public, stable JSON shape (../shared/CONTRACT.md, "Acting from the thread").
import type { Run, Step, StepStatus } from './types.ts';

export interface StepGateContext {
  /** What the gate checks, as the SOP words it. */
  check: string;
  can_block: boolean;
  can_reject: boolean;
}

export interface EarlierOutput {
  step_key: string;
  step_title: string;
  status: StepStatus;
  /** The step's output (for a parallel step, each role's part, one per line). */
  output: string | null;
  /** Who delivered it (user IDs), in order. */
  by: string[];
  completed_at: string | null;
}

export interface StepContext {
  run_id: string;
  chain: string;
  chain_title: string;
  run_title: string;
  step_key: string;
  step_title: string;
  /** 1-based position of the step in the run, and the run's number of steps. */
  position: number;
  total: number;
  step_status: StepStatus;
  /** Role names that own the step, and the user or group IDs who may act for them. */
  owners: string[];
  assignees: string[];
  /** What the step is expected to produce (null: nothing but "done"). */
  output: string | null;
  gate: StepGateContext | null;
  /** Facts the step collects (e.g. `severity`, `projects`), given as `key: value` lines. */
  collects: string[];
  /** When the step is due (its completion deadline), ISO 8601; null when it has none. */
  due_at: string | null;
  acknowledged_at: string | null;
  channel_id: string | null;
  thread_ts: string | null;
  request: {
    text: string;
    requester: string;
    severity: string | null;
    release_type: string | null;
    projects: string[];
    flags: string[];
  };
  /** The steps before this one that are done, skipped or rejected, in order, with their outputs. */
  earlier_outputs: EarlierOutput[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The output a step produced: its own, or its roles' parts when it was delivered in parallel. */
export function stepOutputText(step: Step): string | null {
  if (step.output) return step.output;
  const parts = Object.entries(step.deliveries)
    .filter(([, d]) => d.output)
    .map(([role, d]) => `${role}: ${d.output}`);
  return parts.length > 0 ? parts.join('\n') : null;
}

/** The context of `step` in `run`. `dueAt`: the step's completion deadline, when it has one. */
export function stepContext(
  run: Run,
  step: Step,
  opts: { chainTitle: string; dueAt: number | null },
): StepContext {
  const earlier = run.steps
    .filter(
      (s) => s.idx < step.idx && (s.status === 'done' || s.status === 'skipped' || s.status === 'rejected'),
    )
    .map(
      (s): EarlierOutput => ({
        step_key: s.key,
        step_title: s.title,
        status: s.status,
        output: s.status === 'skipped' ? (s.skipReason ?? null) : stepOutputText(s),
        by: [...new Set(Object.values(s.deliveries).map((d) => d.by))],
        completed_at: iso(s.completedAt),
      }),
    );
  const gate = step.spec.gate;
  return {
    run_id: run.id,
    chain: run.chain,
    chain_title: opts.chainTitle,
    run_title: run.title,
    step_key: step.key,
    step_title: step.title,
    position: step.idx + 1,
    total: run.steps.length,
    step_status: step.status,
    owners: [...step.owners],
    assignees: [...new Set(Object.values(step.assignees).flat())],
    output: step.spec.output,
    gate: gate ? { check: gate.check, can_block: gate.canBlock, can_reject: gate.canReject } : null,
    collects: [...step.spec.collects],
    due_at: iso(opts.dueAt),
    acknowledged_at: iso(step.acknowledgedAt),
    channel_id: run.channelId,
    thread_ts: run.threadTs,
    request: {
      text: run.requestText,
      requester: run.requester,
      severity: run.severity,
      release_type: run.releaseType,
      projects: [...run.projects],
      flags: [...run.flags],
    },
    earlier_outputs: earlier,
  };
}
