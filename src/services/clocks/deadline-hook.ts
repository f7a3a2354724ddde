// The transition hook that keeps the clocks in step with the run, inside the transition's
// transaction: timers for every newly active step, acknowledgement clocks stopped on
// step_ack, and the GDPR clock started when a breach assessment records exposed user data.
// (The engine's own hook has already cancelled the timers of ended steps and closed runs.)
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import type { RoleDirectory } from '../../../routing/roles.ts';
import type { RunTransition } from '../../domain/run-machine.ts';
import { CLOSED_RUN_STATUSES, type RunEvent } from '../../domain/types.ts';
import type { Repositories } from '../../persistence/ports.ts';
import type { TransitionHook } from '../run-service.ts';
import { roleHolders } from '../verb-transaction.ts';
import type { WorkHours } from './business-time.ts';
import { planStepTimers, stepWindows } from './deadline-policy.ts';
import { type GdprClock, gdprMarks, gdprNotice, newGdprClock } from './gdpr-clock.ts';
import { ACK_KINDS, TIMER } from './timer-kinds.ts';

export interface DeadlineHookDeps {
  directory: RoleDirectory;
  playbooks: Playbook[];
  /** Time zone of working hours and "next business day". */
  workTimeZone: string;
  workHours?: WorkHours;
  sprintBusinessDays?: number;
}

type Change = { from: unknown; to: unknown };

export function createDeadlineHook(deps: DeadlineHookDeps): TransitionHook {
  const playbookById = new Map(deps.playbooks.map((p) => [p.id, p]));
  const options = {
    workTimeZone: deps.workTimeZone,
    workHours: deps.workHours,
    sprintBusinessDays: deps.sprintBusinessDays,
  };

  async function scheduleActivated(repos: Repositories, tr: RunTransition, now: number) {
    const run = tr.run;
    if (CLOSED_RUN_STATUSES.includes(run.status)) return;
    const playbook = playbookById.get(run.chain);
    const items = [];
    for (const idx of tr.activatedSteps) {
      const step = run.steps[idx];
      if (!step || step.id === null || (step.status !== 'active' && step.status !== 'blocked')) continue;
      const windows = stepWindows(step.owners, (role) => deps.directory.windows(role));
      for (const p of planStepTimers({ playbook, run, step, start: now, windows }, options)) {
        items.push({ runId: run.id, stepId: step.id, kind: p.kind, dueAt: p.dueAt, data: p.data });
      }
    }
    await repos.timers.schedule(items, now);
  }

  async function stopAckClocks(repos: Repositories, tr: RunTransition) {
    const acknowledged = tr.events
      .filter((e) => e.type === 'step_acknowledged')
      .map((e) => tr.run.steps.find((s) => s.key === e.stepKey)?.id)
      .filter((id): id is number => id != null);
    await repos.timers.cancelForSteps(acknowledged, ACK_KINDS);
  }

  /** Start or stop the GDPR clock from the facts the transition recorded. */
  async function gdpr(repos: Repositories, tr: RunTransition, now: number) {
    const run = tr.run;
    let changed = false;
    const events: RunEvent[] = [];
    for (const e of tr.events) {
      if (e.type !== 'context_changed') continue;
      const changes = (e.data.changes ?? {}) as Record<string, Change>;
      const clock = run.context.gdprClock as GdprClock | undefined;
      const running = clock && !clock.notifiedAt && !clock.stoppedAt;
      if (changes.userDataExposed?.to === true && !running && !run.context.notificationSent) {
        const next = newGdprClock(now);
        run.context.gdprClock = next;
        changed = true;
        await repos.timers.schedule(
          gdprMarks(now).map((m) => ({
            runId: run.id,
            stepId: null,
            kind: TIMER.gdpr,
            dueAt: m.dueAt,
            data: { mark: m.mark, hour: m.hour, startedAt: next.startedAt, deadlineAt: next.deadlineAt },
          })),
          now,
        );
        events.push({
          runId: run.id,
          at: now,
          actor: e.actor,
          type: 'gdpr_clock_started',
          stepKey: e.stepKey,
          data: { ...next },
        });
        const notice = gdprNotice(run, next, now, await roleHolders(repos, deps.directory), {
          mark: 'started',
          by: e.actor,
        });
        await repos.outbox.enqueue([{ runId: run.id, delivery: { kind: 'thread' }, notice }], now);
      } else if (
        running &&
        (changes.userDataExposed?.to === false || changes.notificationSent?.to === true)
      ) {
        const notified = changes.notificationSent?.to === true;
        run.context.gdprClock = notified
          ? { ...clock, notifiedAt: now, notifiedBy: e.actor }
          : { ...clock, stoppedAt: now };
        changed = true;
        await repos.timers.cancelKinds(run.id, [TIMER.gdpr]);
        events.push({
          runId: run.id,
          at: now,
          actor: e.actor,
          type: notified ? 'gdpr_notification_recorded' : 'gdpr_clock_stopped',
          stepKey: e.stepKey,
          data: {
            startedAt: clock.startedAt,
            deadlineAt: clock.deadlineAt,
            at: now,
            withinDeadline: now <= clock.deadlineAt,
          },
        });
      }
    }
    if (changed) {
      // The transition saved the run already; save the clock on it (same transaction).
      await repos.runs.save(run, [], run.version, events);
    }
  }

  return {
    // Timers before the transition's messages, so that a handoff carries its deadline.
    async beforeNotices(repos, tr, now) {
      await scheduleActivated(repos, tr, now);
      await stopAckClocks(repos, tr);
    },
    async afterTransition(repos, tr, now) {
      await gdpr(repos, tr, now);
    },
  };
}
