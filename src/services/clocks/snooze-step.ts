// snoozeStep: an owner of the step (or an admin) pushes its pending reminders to `minutes`
// from now; when the reminder already went out, a new one is set for then. Escalations are
// not moved: a snooze quiets the nudges, not the deadline.
import { z } from 'zod';
import { refuse, requireOpen, requireStepRole } from '../../domain/policy.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { ClockVerbContext } from './clock-verb-context.ts';
import { REMINDER_KINDS, TIMER } from './timer-kinds.ts';

export const SNOOZE_DEFAULT_MINUTES = 60;

const input = z.object({
  runId: z.string().min(1),
  stepKey: z.string().min(1),
  minutes: z
    .number()
    .int()
    .min(5, 'at least 5 minutes')
    .max(7 * 24 * 60, 'at most a week'),
});

export interface SnoozeResult {
  runId: string;
  stepKey: string;
  stepTitle: string;
  minutes: number;
  until: number;
}

export async function snoozeStep(
  ctx: ClockVerbContext,
  raw: { runId: string; stepKey: string; minutes: number },
): Promise<SnoozeResult> {
  const parsed = input.safeParse(raw);
  if (!parsed.success)
    throw new ValidationError('bad_snooze', `Snooze: ${parsed.error.issues[0]?.message ?? 'invalid input'}.`);
  const { runId, stepKey, minutes } = parsed.data;
  const { repos, actor, now } = ctx;
  const run = await repos.runs.get(runId);
  if (!run) throw new NotFoundError('run_not_found', `There is no run ${runId}.`);
  const step = run.steps.find((s) => s.key === stepKey);
  if (!step || step.id === null)
    throw new NotFoundError('no_such_step', `${runId} has no step "${stepKey}".`);
  requireOpen(run, actor, step);
  if (step.status !== 'active' && step.status !== 'blocked') {
    refuse(actor, 'step_not_active', `${step.title} (${runId}) is not waiting on anyone.`, {
      runId,
      stepKey,
    });
  }
  requireStepRole(run, step, actor, 'snooze');
  const until = now + minutes * 60_000;
  await ctx.repos.clock.pushPending(step.id, REMINDER_KINDS, until);
  const kind = step.acknowledgedAt === null ? TIMER.ackReminder : TIMER.doneReminder;
  const pending = await ctx.repos.clock.pendingForStep(step.id);
  if (!pending.some((t) => t.kind === kind)) {
    await repos.timers.schedule(
      [{ runId, stepId: step.id, kind, dueAt: until, data: { snoozedBy: actor.userId, label: 'snoozed' } }],
      now,
    );
  }
  await repos.events.append([
    { runId, at: now, actor: actor.userId, type: 'step_snoozed', stepKey, data: { minutes, until } },
  ]);
  return { runId, stepKey, stepTitle: step.title, minutes, until };
}
