// The verb table is the whole bot: a New Feature run driven through it alone, in a process where
// Slack cannot even be imported, gives the same events (type, step, actor, in order) as the same
// run driven through Slack (the real app against the fake Slack). And the table itself: every
// verb parses its input first, and an unknown verb or a bad input is a coded error.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCoreConfig } from '../../src/config.ts';
import { createCore } from '../../src/core.ts';
import { ValidationError } from '../../src/errors.ts';
import { callVerb, VERB_NAMES, VERBS } from '../../src/services/verbs.ts';
import { BLOCK } from '../../src/slack/ids.ts';
import { multiSelect, walk } from '../e2e/walk.ts';
import { type Harness, newestRun, startHarness } from '../support/app-harness.ts';
import { ADMIN, tempDbPath } from '../support/engine.ts';
import { type EventShape, FEATURE_REQUEST, FEATURE_STEPS } from '../support/feature-run.ts';
import { REPO_DIR, spawnProcess, TSX_LOADER } from '../support/spawned.ts';

interface VerbOnlyRun {
  runId: string;
  status: string;
  events: EventShape[];
  loaded: string[];
  guard: string;
}

/** The run through the verb table, in a child process that cannot import Slack. */
async function runThroughVerbsAlone(): Promise<VerbOnlyRun> {
  const child = spawnProcess(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      '--import',
      join(REPO_DIR, 'test/support/no-slack.ts'),
      join(REPO_DIR, 'test/support/verb-only-run.ts'),
    ],
    { cwd: REPO_DIR, env: { DATABASE_URL: tempDbPath('verbs-alone'), ADMIN_USER_IDS: ADMIN } },
  );
  const { code } = await child.exited;
  const line = child.lines.find((l) => l.startsWith('{'));
  expect(code, child.lines.join('\n')).toBe(0);
  return JSON.parse(line!) as VerbOnlyRun;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('the verb table drives a whole run without Slack', () => {
  it('when a New Feature run is driven through the verb table alone, then no Slack is loaded and the events match the same run through Slack', async () => {
    const alone = await runThroughVerbsAlone();
    expect(alone.loaded).toEqual([]);
    expect(alone.guard).toMatch(/Slack is not allowed in this process: @slack\/bolt/);
    expect(alone.status).toBe('done');

    await h.driver.slashCommand({
      text: `${FEATURE_REQUEST.chain} ${FEATURE_REQUEST.text}`,
      userId: FEATURE_REQUEST.requester,
      channelId: FEATURE_REQUEST.channelId,
    });
    const started = await newestRun(h);
    const done = await walk(
      h,
      started.id,
      FEATURE_STEPS.map((s) => ({
        key: s.key,
        by: s.by,
        ...(s.projects ? { values: multiSelect(BLOCK.projects, s.projects) } : {}),
      })),
    );
    expect(done.status).toBe('done');
    const throughSlack: EventShape[] = (await h.core.store.read.events.forRun(done.id)).map((e) => ({
      type: e.type,
      step: e.stepKey,
      actor: e.actor,
    }));

    expect(alone.runId).toBe(done.id);
    expect(alone.events).toEqual(throughSlack);
    expect(throughSlack.map((e) => e.type)).toContain('run_completed');
  });
});

describe('the verb table', () => {
  it('lists each verb once, with a summary and an input schema', () => {
    expect(new Set(VERB_NAMES).size).toBe(VERB_NAMES.length);
    for (const name of VERB_NAMES) {
      expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(VERBS[name].summary.length).toBeGreaterThan(10);
      expect(typeof VERBS[name].input.safeParse).toBe('function');
    }
  });

  it.each([
    ['complete_step', { step_key: 'vision_scope' }, 'run_id'],
    ['block_step', { run_id: 'FEAT-1', reason: 42 }, 'reason'],
    ['set_role', { role: 'Atlas', members: 'UATLAS' }, 'members'],
    ['start_request', { text: 'x', flags: ['no_such_flag'] }, 'flags.0'],
  ])('when %s gets a bad input, then it is refused as bad_input naming the field, before anything runs', async (name, input, path) => {
    const core = await createCore(loadCoreConfig({ DATABASE_URL: ':memory:', ADMIN_USER_IDS: ADMIN }));
    try {
      const actor = await core.actors.resolve({ kind: 'api_user', userId: ADMIN });
      const err = await callVerb(core, name, { actor, input }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ code: 'bad_input', details: { verb: name, path } });
      expect(await core.store.read.events.forRun('FEAT-1')).toEqual([]);
    } finally {
      await core.close();
    }
  });

  it('when a verb that does not exist is called, then it is unknown_verb', async () => {
    const core = await createCore(loadCoreConfig({ DATABASE_URL: ':memory:' }));
    try {
      const actor = await core.actors.resolve({ kind: 'api_user', userId: 'UANY' });
      await expect(callVerb(core, 'drop_tables', { actor, input: {} })).rejects.toMatchObject({
        code: 'unknown_verb',
      });
    } finally {
      await core.close();
    }
  });
});
