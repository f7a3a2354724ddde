// RunRepository: run numbers, the run with its steps, optimistic saves, filters, "waiting on".
import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/domain/types.ts';
import { ConflictError } from '../../../src/errors.ts';
import type { Backend } from './backend.ts';
import { HOUR, insertRuns, makeClosedRun, makeRun, makeStep, stepIds, T0, useBackend } from './fixtures.ts';

async function conflict(p: Promise<unknown>): Promise<ConflictError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConflictError);
  return err as ConflictError;
}

export function describeRunRepositoryContract(backend: Backend) {
  describe(`runs (${backend.name})`, () => {
    const db = useBackend(backend);
    const ids = (runs: Run[]) => runs.map((r) => r.id);

    it('when run numbers are drawn for a prefix, then they count 1, 2, 3 and each prefix counts alone', async () => {
      const { store } = db();
      const draw = (prefix: string) => store.transaction((r) => r.runs.nextSeq(prefix));
      expect([await draw('FEAT'), await draw('FEAT'), await draw('BUG'), await draw('FEAT')]).toEqual([
        1, 2, 1, 3,
      ]);
    });

    it('when a number is drawn in a transaction that rolls back, then the next draw gives it again', async () => {
      const { store } = db();
      await store.transaction((r) => r.runs.nextSeq('FEAT'));
      await expect(
        store.transaction(async (r) => {
          await r.runs.nextSeq('FEAT');
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      expect(await store.transaction((r) => r.runs.nextSeq('FEAT'))).toBe(2);
    });

    it('when a run is inserted, then get returns every field and step as given, and the steps got ids', async () => {
      const { store } = db();
      const run = makeRun('FEAT-1', {
        threadTs: '1700000000.000100',
        rootTs: '1700000000.000100',
        severity: 'high',
        releaseType: 'minor',
        changeType: 'schema',
        auditType: 'quarterly',
        flags: ['user_data', 'payments'],
        projects: ['web', 'backend'],
        context: { summary: ['Severity high'], noticesSent: ['n1'], nested: { a: [1, 2] } },
        blockedReason: null,
        steps: [
          makeStep(0, {
            status: 'active',
            startedAt: T0,
            acknowledgedAt: T0 + 5,
            assignees: { Architect: ['UARCH', 'SGROUP1'] },
            deliveries: { Architect: { by: 'UARCH', output: 'a plan', at: T0 + 7 } },
            notes: ['first note', 'ünïcödé ✓'],
            spec: {
              output: 'plan',
              gate: { check: 'feasible', canBlock: true, canReject: true },
              collects: ['severity'],
              required: false,
              manualSkip: true,
            },
          }),
          makeStep(1, { owners: ['QAGuard'], approvers: ['Privacy'], watchers: [] }),
        ],
      });
      await insertRuns(store, run);
      expect(run.steps.every((s) => typeof s.id === 'number')).toBe(true);
      expect(new Set(stepIds(run)).size).toBe(2);
      expect(await store.read.runs.get('FEAT-1')).toEqual(run);
      expect(await store.read.runs.get('FEAT-404')).toBeNull();
    });

    it('when a run’s status is asked, then it is the run’s status, read without its steps, or null for no run', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('A-1'), makeClosedRun('B-1', 'done', T0, T0 + HOUR));
      expect(await store.read.runs.status('A-1')).toBe('active');
      expect(await store.read.runs.status('B-1')).toBe('done');
      expect(await store.read.runs.status('Z-404')).toBeNull();
    });

    it('when a run’s channel is asked, then it is the run’s channel, or null for no run or no channel', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('A-1'), makeRun('B-1', { channelId: null }));
      expect(await store.read.runs.channelOf('A-1')).toBe('C1');
      expect(await store.read.runs.channelOf('B-1')).toBeNull();
      expect(await store.read.runs.channelOf('Z-404')).toBeNull();
    });

    it('when a run is saved at its version, then the run and the listed steps change and both versions rise', async () => {
      const { store } = db();
      const [run] = await insertRuns(store, makeRun('FEAT-1'));
      const copy = (await store.read.runs.get('FEAT-1'))!;
      copy.title = 'Renamed';
      copy.context = { summary: ['changed'] };
      copy.steps[0]!.status = 'done';
      copy.steps[0]!.output = 'shipped';
      copy.steps[1]!.notes = ['not saved: not listed'];
      await store.transaction((r) => r.runs.save(copy, [0], run!.version));
      expect(copy.version).toBe(run!.version + 1);
      expect(copy.steps[0]!.version).toBe(1);

      const after = (await store.read.runs.get('FEAT-1'))!;
      expect(after).toMatchObject({ title: 'Renamed', context: { summary: ['changed'] }, version: 1 });
      expect(after.steps[0]).toMatchObject({ status: 'done', output: 'shipped', version: 1 });
      expect(after.steps[1]).toMatchObject({ notes: [], version: 0 });
    });

    it('when a run is saved at a stale version, then ConflictError run_changed and nothing is written', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('FEAT-1'));
      const a = (await store.read.runs.get('FEAT-1'))!;
      const b = (await store.read.runs.get('FEAT-1'))!;
      a.title = 'First writer';
      await store.transaction((r) => r.runs.save(a, [], 0));
      b.title = 'Second writer';
      b.steps[0]!.output = 'lost';
      const err = await conflict(store.transaction((r) => r.runs.save(b, [0], 0)));
      expect(err.code).toBe('run_changed');
      expect(err.details).toEqual({ runId: 'FEAT-1' });
      const after = (await store.read.runs.get('FEAT-1'))!;
      expect(after.title).toBe('First writer');
      expect(after.version).toBe(1);
      expect(after.steps[0]!.output).toBeNull();
    });

    it('when a run is saved with its transition’s events, then they are in its log in order; a save that conflicts appends none', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('FEAT-1'));
      const a = (await store.read.runs.get('FEAT-1'))!;
      const b = (await store.read.runs.get('FEAT-1'))!;
      const event = (type: string, at: number) => ({
        runId: 'FEAT-1',
        at,
        actor: 'U1',
        type,
        stepKey: type === 'step_done' ? 'one' : null,
        data: { n: at - T0, nested: { list: [1, 'two'] } },
      });
      await store.transaction((r) =>
        r.runs.save(a, [], 0, [event('renamed', T0 + 1), event('step_done', T0 + 2)]),
      );
      const err = await conflict(store.transaction((r) => r.runs.save(b, [], 0, [event('lost', T0 + 3)])));
      expect(err.code).toBe('run_changed');
      const log = await store.read.events.forRun('FEAT-1');
      expect(log.map(({ id: _id, ...e }) => e)).toEqual([
        event('renamed', T0 + 1),
        event('step_done', T0 + 2),
      ]);
    });

    it('when one object of a run’s context is patched, then its fields are replaced, the rest kept, the version moves and the events are appended; none without that object', async () => {
      const { store } = db();
      const alert = {
        status: 'firing',
        received: 1,
        values: ['a', 'b'],
        links: [{ label: 'L', url: 'u' }],
        kept: 'x',
      };
      await insertRuns(
        store,
        makeRun('INC-1', { context: { alert, other: { n: 1 } } }),
        makeRun('INC-2', { context: { alert: 'not an object' } }),
      );
      const stale = (await store.read.runs.get('INC-1'))!;
      const event = (runId: string, at: number) => ({
        runId,
        at,
        actor: 'system',
        type: 'alert_received',
        stepKey: null,
        data: { raw: '{"a":1}', nested: { list: [1, 'two'] } },
      });
      const patched = await store.transaction((r) =>
        r.runs.patchContext('INC-1', 'alert', { received: 2, values: ['c'], links: [] }, T0 + 5, [
          event('INC-1', T0 + 5),
        ]),
      );
      expect(patched).toBe(true);
      const after = (await store.read.runs.get('INC-1'))!;
      expect(after.context).toEqual({
        alert: { ...alert, received: 2, values: ['c'], links: [] },
        other: { n: 1 },
      });
      expect(after).toMatchObject({ version: 1, updatedAt: T0 + 5, title: 'Run INC-1' });
      expect(after.steps).toEqual(stale.steps);
      // A transition that read the run before the patch conflicts.
      expect((await conflict(store.transaction((r) => r.runs.save(stale, [], 0)))).code).toBe('run_changed');
      // No such object, no such run: nothing written, no event.
      const none = await store.transaction(async (r) => [
        await r.runs.patchContext('INC-2', 'alert', { received: 2 }, T0 + 6, [event('INC-2', T0 + 6)]),
        await r.runs.patchContext('INC-1', 'missing', { received: 2 }, T0 + 6, [event('INC-1', T0 + 6)]),
        await r.runs.patchContext('NONE-1', 'alert', { received: 2 }, T0 + 6, []),
      ]);
      expect(none).toEqual([false, false, false]);
      await expect(
        store.transaction((r) => r.runs.patchContext('INC-1', 'alert"."x', { received: 9 }, T0 + 7, [])),
      ).rejects.toThrow(/not a plain key/);
      expect((await store.read.runs.get('INC-2'))!).toMatchObject({
        version: 0,
        context: { alert: 'not an object' },
      });
      expect((await store.read.runs.get('INC-1'))!.version).toBe(1);
      expect((await store.read.events.forRun('INC-1')).map(({ id: _id, ...e }) => e)).toEqual([
        event('INC-1', T0 + 5),
      ]);
      expect(await store.read.events.forRun('INC-2')).toEqual([]);
    });

    it('when a listed step changed meanwhile, then ConflictError step_changed and the transaction leaves the run as it was', async () => {
      const { store } = db();
      const [run] = await insertRuns(store, makeRun('FEAT-1'));
      const stale = (await store.read.runs.get('FEAT-1'))!;
      stale.steps[0]!.version = 7;
      stale.title = 'Not saved';
      const err = await conflict(store.transaction((r) => r.runs.save(stale, [0], run!.version)));
      expect(err.code).toBe('step_changed');
      expect(await store.read.runs.get('FEAT-1')).toMatchObject({ title: 'Run FEAT-1', version: 0 });
    });

    it('when the root message is set, then the run has its channel, root and thread, and a save of the run as loaded before keeps them', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('FEAT-1', { channelId: null }));
      const held = (await store.read.runs.get('FEAT-1'))!;
      await store.transaction((r) => r.runs.setRootMessage('FEAT-1', 'C9', '1.000100', '1.000100'));
      expect(await store.read.runs.get('FEAT-1')).toMatchObject({
        channelId: 'C9',
        rootTs: '1.000100',
        threadTs: '1.000100',
      });
      held.title = 'Saved after';
      await store.transaction((r) => r.runs.save(held, [], held.version));
      // The save carried the run as loaded before the root was posted: it leaves the root alone.
      expect(await store.read.runs.get('FEAT-1')).toMatchObject({
        title: 'Saved after',
        channelId: 'C9',
        rootTs: '1.000100',
        threadTs: '1.000100',
      });
    });

    it('when runs are listed, then oldest first (by creation, then number), with their steps', async () => {
      const { store } = db();
      await insertRuns(
        store,
        makeRun('B-2', { createdAt: T0, seq: 2 }),
        makeRun('C-1', { createdAt: T0 + HOUR, seq: 1, chain: 'bug' }),
        makeRun('A-1', { createdAt: T0, seq: 1 }),
      );
      const all = await store.read.runs.list();
      expect(ids(all)).toEqual(['A-1', 'B-2', 'C-1']);
      expect(all.map((r) => r.steps.map((s) => s.key))).toEqual([
        ['step0', 'step1'],
        ['step0', 'step1'],
        ['step0', 'step1'],
      ]);
      expect(ids(await store.read.runs.list({ newestFirst: true }))).toEqual(['C-1', 'A-1', 'B-2']);
      expect(ids(await store.read.runs.list({ limit: 2 }))).toEqual(['A-1', 'B-2']);
      expect(await store.read.runs.list({ limit: 0 })).toEqual([]);
      expect(await store.read.runs.count()).toBe(3);
      expect(await store.read.runs.list({ chain: 'nothing' })).toEqual([]);
    });

    it('when runs are listed with filters, then each filter keeps only its runs', async () => {
      const { store } = db();
      await insertRuns(
        store,
        makeRun('OPEN-1', { createdAt: T0, channelId: 'C1', chain: 'feature' }),
        makeRun('BLOCK-1', {
          createdAt: T0 + 1,
          channelId: 'C2',
          chain: 'bug',
          status: 'blocked',
          source: 'follow_up',
        }),
        makeClosedRun('DONE-1', 'done', T0 + 2, T0 + 10 * HOUR, { chain: 'bug' }),
        makeClosedRun('REJ-1', 'rejected', T0 + 3, T0 + 20 * HOUR),
        makeClosedRun('CAN-1', 'cancelled', T0 + 4, T0 + 30 * HOUR, { channelId: 'C2' }),
      );
      const list = async (f: Parameters<typeof store.read.runs.list>[0]) =>
        ids(await store.read.runs.list(f));
      expect(await list({ open: true })).toEqual(['OPEN-1', 'BLOCK-1']);
      expect(await list({ open: false })).toEqual(['DONE-1', 'REJ-1', 'CAN-1']);
      expect(await list({ status: ['blocked', 'done'] })).toEqual(['BLOCK-1', 'DONE-1']);
      expect(await list({ channelId: 'C2' })).toEqual(['BLOCK-1', 'CAN-1']);
      expect(await list({ chain: 'bug' })).toEqual(['BLOCK-1', 'DONE-1']);
      expect(await list({ chain: 'bug', open: true })).toEqual(['BLOCK-1']);
      expect(await list({ source: 'follow_up' })).toEqual(['BLOCK-1']);
      expect(await list({ chain: 'feature', source: 'follow_up' })).toEqual([]);
      // Closed in [from, to): the bound at `to` is left out, the one at `from` kept.
      expect(await list({ closedFrom: T0 + 10 * HOUR, closedTo: T0 + 30 * HOUR })).toEqual([
        'DONE-1',
        'REJ-1',
      ]);
      expect(await list({ closedFrom: T0 + 20 * HOUR })).toEqual(['REJ-1', 'CAN-1']);
      expect(await list({ createdFrom: T0 + 3 })).toEqual(['REJ-1', 'CAN-1']);
      expect(await list({ ids: ['CAN-1', 'OPEN-1', 'NONE-1'] })).toEqual(['OPEN-1', 'CAN-1']);
      expect(await list({ ids: ['CAN-1', 'OPEN-1'], open: true })).toEqual(['OPEN-1']);
      expect(await list({ ids: [] })).toEqual([]);
    });

    it('when more than 500 runs are listed, then every run keeps its own steps', async () => {
      const { store } = db();
      const many = Array.from({ length: 620 }, (_, i) => makeRun(`MANY-${i}`, { createdAt: T0 + i, seq: i }));
      many[610]!.steps = [makeStep(0, { key: 'only', status: 'active' })];
      await insertRuns(store, ...many);
      const all = await store.read.runs.list();
      expect(all).toHaveLength(620);
      expect(all.every((r) => r.steps.length === (r.id === 'MANY-610' ? 1 : 2))).toBe(true);
      expect(all[610]!.steps[0]!.key).toBe('only');
    });

    it('when asked what waits on some principals, then their active or blocked steps come with their runs, oldest run first', async () => {
      const { store } = db();
      await insertRuns(
        store,
        makeRun('LATER-1', {
          createdAt: T0 + HOUR,
          steps: [makeStep(0, { status: 'blocked', assignees: { Architect: ['SGROUP'] } })],
        }),
        makeRun('FIRST-1', {
          createdAt: T0,
          steps: [
            makeStep(0, {
              status: 'active',
              owners: ['Architect'],
              approvers: ['QAGuard'],
              assignees: { Architect: ['UARCH'], QAGuard: ['UARCH', 'UQA'] },
            }),
            makeStep(1, { status: 'pending', assignees: { Architect: ['UARCH'] } }),
          ],
        }),
        makeClosedRun('DONE-1', 'done', T0, T0 + 1, {
          steps: [makeStep(0, { status: 'done', assignees: { Architect: ['UARCH'] } })],
        }),
      );
      const waiting = async (...who: string[]) =>
        (await store.read.runs.waitingOn(who)).map((w) => `${w.run.id}/${w.step.key}`);
      // Once per step, though UARCH holds both of its roles.
      expect(await waiting('UARCH')).toEqual(['FIRST-1/step0']);
      expect(await waiting('UARCH', 'SGROUP')).toEqual(['FIRST-1/step0', 'LATER-1/step0']);
      expect(await waiting('UQA')).toEqual(['FIRST-1/step0']);
      expect(await waiting('UNOBODY')).toEqual([]);
      expect(await waiting()).toEqual([]);
      const [hit] = await store.read.runs.waitingOn(['SGROUP']);
      expect(hit!.run.steps).toHaveLength(1);
      expect(hit!.step.status).toBe('blocked');
    });

    it('when a run is closed with its current step left active (a cancelled run), then nothing of it waits on anyone', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('FEAT-1'), makeRun('FEAT-2', { seq: 2 }));
      const run = (await store.read.runs.get('FEAT-1'))!;
      run.status = 'cancelled';
      run.closedAt = T0 + HOUR;
      await store.transaction((r) => r.runs.save(run, [], run.version));
      expect((await store.read.runs.waitingOn(['UARCH'])).map((w) => w.run.id)).toEqual(['FEAT-2']);
    });

    it('when a save hands a step on, then "waiting on" follows the new assignees and drops a finished step', async () => {
      const { store } = db();
      await insertRuns(store, makeRun('FEAT-1'));
      const run = (await store.read.runs.get('FEAT-1'))!;
      run.steps[0]!.assignees = { Architect: ['UNEW'] };
      await store.transaction((r) => r.runs.save(run, [0], run.version));
      expect(await store.read.runs.waitingOn(['UARCH'])).toEqual([]);
      expect((await store.read.runs.waitingOn(['UNEW'])).map((w) => w.step.key)).toEqual(['step0']);

      run.steps[0]!.status = 'done';
      run.steps[1]!.status = 'active';
      run.steps[1]!.assignees = { Architect: ['UNEXT'] };
      await store.transaction((r) => r.runs.save(run, [0, 1], run.version));
      expect(await store.read.runs.waitingOn(['UNEW'])).toEqual([]);
      expect((await store.read.runs.waitingOn(['UNEXT'])).map((w) => w.step.key)).toEqual(['step1']);
    });
  });
}
