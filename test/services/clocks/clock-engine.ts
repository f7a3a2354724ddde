// A test engine with the deadline hook installed, and helpers to read timers and the outbox.
import { loadChains, loadPlaybooks } from '../../../routing/playbooks/load.ts';
import { loadRoleDirectory, type RoleDirectory } from '../../../routing/roles.ts';
import { createDigestCron } from '../../../src/jobs/digest-cron.ts';
import { createScheduler } from '../../../src/jobs/scheduler.ts';
import { createClockService } from '../../../src/services/clocks/clock-service.ts';
import { createDeadlineHook } from '../../../src/services/clocks/deadline-hook.ts';
import { createDigestService } from '../../../src/services/digests/digest-service.ts';
import { ADMIN, createTestEngine, TestClock, userFor } from '../../support/engine.ts';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export async function createClockEngine(
  opts: {
    path?: string;
    clock?: TestClock;
    workTimeZone?: string;
    worker?: string;
    directory?: RoleDirectory;
    /** Playbook folders (default: the six built-in chains). */
    dirs?: string[];
  } = {},
) {
  const base = opts.directory ?? loadRoleDirectory();
  const { directory, playbooks } = opts.dirs
    ? loadChains(base, opts.dirs)
    : { directory: base, playbooks: loadPlaybooks({ knownRoles: new Set(base.names) }) };
  const hook = createDeadlineHook({ directory, playbooks, workTimeZone: opts.workTimeZone ?? 'UTC' });
  const clock = opts.clock ?? new TestClock();
  const engine = await createTestEngine({
    path: opts.path,
    clock,
    hooks: [hook],
    sqlite: true,
    dirs: opts.dirs,
  });
  const scheduler = createScheduler({
    store: engine.store,
    clock: clock.now,
    workerId: opts.worker ?? 'w1',
    directory,
    adminUserIds: [ADMIN],
  });
  const clocks = createClockService({
    store: engine.store,
    directory,
    clock: clock.now,
  });
  return {
    ...engine,
    scheduler,
    clocks,
    /** Outbox notices of these types, in order. */
    notices(types: string[] = ['reminder', 'escalation', 'gdpr']) {
      const rows = engine.db.sqlite
        .prepare('select id, run_id as runId, kind, channel_id as channelId, payload from outbox order by id')
        .all() as {
        id: number;
        runId: string | null;
        kind: string;
        channelId: string | null;
        payload: string;
      }[];
      return rows
        .map((r) => ({ ...r, notice: JSON.parse(r.payload) as Record<string, unknown> & { type: string } }))
        .filter((r) => types.includes(r.notice.type));
    },
    timers(runId?: string) {
      const rows = engine.db.sqlite
        .prepare(
          `select id, run_id as runId, step_id as stepId, kind, due_at as dueAt, status, data from timers ${runId ? 'where run_id = ?' : ''} order by due_at, id`,
        )
        .all(...(runId ? [runId] : [])) as {
        id: number;
        runId: string;
        stepId: number | null;
        kind: string;
        dueAt: number;
        status: string;
        data: string;
      }[];
      return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
    },
    async events(runId: string, type = 'timer_fired') {
      return (await engine.store.read.events.forRun(runId)).filter((e) => e.type === type);
    },
  };
}

export type ClockEngine = Awaited<ReturnType<typeof createClockEngine>>;

/** A SEV2 incident with user data flagged, walked up to its breach assessment. */
export async function toBreachAssessment(e: ClockEngine) {
  const { run } = await e.runs.startRun({
    chain: 'incident',
    title: 'Leak',
    text: 'x',
    requester: 'UOPS',
    severity: 'sev2',
    flags: ['user_data'],
  });
  let r = run;
  while (r.steps.find((s) => s.status === 'active')!.key !== 'breach_assessment') {
    const step = r.steps.find((s) => s.status === 'active')!;
    for (const role of step.owners)
      r = await e.runs.completeStep(r.id, await e.as(userFor(role)), { output: 'ok' });
  }
  return r;
}

/** Each engine's digest cron (its own worker id), posting to CALGO on the test schedules, in UTC. */
export function digestCrons(engines: ClockEngine[], clock: TestClock) {
  return engines.map((e, i) =>
    createDigestCron({
      digests: createDigestService({
        store: e.store,
        clock: clock.now,
        timeZone: 'UTC',
        channel: 'CALGO',
        playbooks: e.playbooks,
        workerId: `w${i}`,
      }),
      clock: clock.now,
      schedules: { daily: '0 9 * * 1-5', weekly: '0 9 * * 1' },
      timeZone: 'UTC',
    }),
  );
}
