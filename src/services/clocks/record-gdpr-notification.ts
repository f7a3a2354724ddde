// recordGdprNotification: Privacy records that the supervisory authority was notified
// (GDPR Art. 33). The 72-hour clock stops, its reminders end, the thread and the root
// message say so. Works on a closed run too: the duty outlives the incident.
import { z } from 'zod';
import { rootUpdateMessage } from '../../domain/notices.ts';
import { refuse, requireRoleHolder } from '../../domain/policy.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { ClockVerbContext } from './clock-verb-context.ts';
import { gdprClockOf, gdprNotice } from './gdpr-clock.ts';
import { TIMER } from './timer-kinds.ts';

const input = z.object({ runId: z.string().min(1), note: z.string().max(2000).nullable() });

export interface GdprNotificationResult {
  runId: string;
  startedAt: number;
  deadlineAt: number;
  notifiedAt: number;
  withinDeadline: boolean;
}

export async function recordGdprNotification(
  ctx: ClockVerbContext,
  raw: { runId: string; note: string | null },
): Promise<GdprNotificationResult> {
  const parsed = input.safeParse(raw);
  if (!parsed.success)
    throw new ValidationError('bad_input', parsed.error.issues[0]?.message ?? 'invalid input');
  const { runId, note } = parsed.data;
  const { repos, actor, now } = ctx;
  const run = await repos.runs.get(runId);
  if (!run) throw new NotFoundError('run_not_found', `There is no run ${runId}.`);
  const privacy = ctx.directory.resolve('Privacy') ?? 'Privacy';
  requireRoleHolder(actor, privacy, ctx.holdersOf(privacy), {
    code: 'not_privacy',
    doing: `record the GDPR notification for ${runId}`,
    runId,
  });
  const clock = gdprClockOf(run, now);
  if (!clock) refuse(actor, 'no_gdpr_clock', `${runId} has no GDPR notification clock running.`, { runId });
  if (!clock.running)
    refuse(actor, 'gdpr_clock_stopped', `The GDPR notification for ${runId} was already recorded.`, {
      runId,
    });
  const expectedVersion = run.version;
  run.context.notificationSent = true;
  run.context.gdprClock = {
    startedAt: clock.startedAt,
    deadlineAt: clock.deadlineAt,
    notifiedAt: now,
    notifiedBy: actor.userId,
    stoppedAt: null,
  };
  run.updatedAt = now;
  await repos.runs.save(run, [], expectedVersion);
  await repos.timers.cancelKinds(runId, [TIMER.gdpr]);
  const withinDeadline = now <= clock.deadlineAt;
  await repos.events.append([
    {
      runId,
      at: now,
      actor: actor.userId,
      type: 'gdpr_notification_recorded',
      stepKey: null,
      data: { startedAt: clock.startedAt, deadlineAt: clock.deadlineAt, at: now, withinDeadline, note },
    },
  ]);
  const notice = gdprNotice(run, clock, now, ctx.holdersOf, { mark: 'notified', by: actor.userId });
  await repos.outbox.enqueue(
    [{ runId, delivery: { kind: 'thread' }, notice }, rootUpdateMessage(runId)],
    now,
  );
  return { runId, startedAt: clock.startedAt, deadlineAt: clock.deadlineAt, notifiedAt: now, withinDeadline };
}
