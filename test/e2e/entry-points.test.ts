// Entry points and delivery: the incident shortcut, mentions redelivered by Slack, the classifier
// asking, refusals, faults on chat.postMessage and a restart in the middle of a run.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, BLOCK, CALLBACK } from '../../src/slack/ids.ts';
import {
  type Harness,
  mentionsIn,
  newestRun,
  outboxSettled,
  postedRun,
  startHarness,
  threadOf,
  userFor as u,
  until,
} from '../support/app-harness.ts';
import { visibleText } from '../support/fake-slack.ts';
import { selectedOption, textInput } from '../support/slack-driver.ts';
import { completeStep, handoffs, output, press, pressForModal, submit, walk } from './walk.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(() => h.clock.advance(0));

const REQUESTER = 'UREQUESTER';
const runCount = async () => (await h.core.store.read.runs.list()).length;

describe('declare_incident message shortcut', () => {
  it('when declared SEV1, then the modal is prefilled with the message and its permalink; Ghabs and Atlas are told; the Post-Mortem is required; the thread links to the run', async () => {
    const msg = h.fake.addMessage({
      channel: 'CSHORT',
      user: 'UREPORTER',
      text: 'Payments are failing for everyone since 10:02',
    });
    const res = await h.driver.messageShortcut({
      callbackId: CALLBACK.declareIncident,
      userId: REQUESTER,
      channelId: 'CSHORT',
      message: { ts: msg.ts, text: msg.text!, user: 'UREPORTER' },
    });
    expect(res.status).toBe(200);
    const view = await h.fake.waitFor((f) =>
      f.views.find((v) => v.callback_id === CALLBACK.declareIncidentModal && v.history.length > 1),
    );
    const permalink = (await h.fake.waitFor((f) => f.callsTo('chat.getPermalink')[0])).args;
    expect(permalink).toMatchObject({ channel: 'CSHORT', message_ts: msg.ts });
    const shown = JSON.stringify(view.view);
    expect(shown).toContain('Payments are failing for everyone');
    expect(shown).toContain(`https://fake.slack.test/archives/CSHORT/p${msg.ts.replace('.', '')}`);
    expect(shown).toMatch(/SEV1.*Service down, all users affected/);
    expect(shown).toContain('May user data be exposed?');

    const values = {
      [BLOCK.title]: { [BLOCK.title]: textInput('Payments failing') },
      [BLOCK.description]: {
        [BLOCK.description]: textInput('Payments are failing for everyone since 10:02'),
      },
      [BLOCK.severity]: { [BLOCK.severity]: selectedOption('sev1') },
      [BLOCK.service]: { [BLOCK.service]: textInput('payments') },
      [BLOCK.userData]: { [BLOCK.userData]: selectedOption('yes') },
    };
    const before = await runCount();
    expect(await submit(h, view, REQUESTER, values)).toBeNull();
    // Slack delivers a double-submitted modal twice: still one run.
    expect(await submit(h, view, REQUESTER, values)).toBeNull();
    const run = await postedRun(h, (await newestRun(h)).id);
    expect(await runCount()).toBe(before + 1);
    expect(run).toMatchObject({
      chain: 'incident',
      severity: 'sev1',
      channelId: 'CSHORT',
      title: 'Payments failing',
    });
    expect(run.flags).toContain('user_data');
    expect(run.steps.find((s) => s.key === 'post_mortem')?.spec.required).toBe(true);
    expect(run.steps.find((s) => s.key === 'breach_assessment')?.spec.required).toBe(true);

    await outboxSettled(h);
    const told = threadOf(h, run).find((m) => mentionsIn(m).includes(u('Ghabs')));
    expect(told && mentionsIn(told)).toEqual(expect.arrayContaining([u('Ghabs'), u('Atlas')]));
    for (const who of [u('Ghabs'), u('Atlas')]) {
      expect(h.fake.messages(h.fake.dmChannel(who)).length + h.fake.messages(who).length).toBeGreaterThan(0);
    }
    const reply = await h.fake.waitFor((f) =>
      f.thread('CSHORT', msg.ts).find((m) => m.ts !== msg.ts && m.thread_ts === msg.ts),
    );
    expect(visibleText(reply)).toContain(run.id);
    expect(visibleText(reply)).toContain(
      `https://fake.slack.test/archives/CSHORT/p${run.rootTs!.replace('.', '')}`,
    );
    expect(h.fake.thread('CSHORT', msg.ts).filter((m) => m.thread_ts === msg.ts)).toHaveLength(1);
  });

  it('when the form lacks a severity, then the modal shows the error on that field and nothing starts', async () => {
    const msg = h.fake.addMessage({ channel: 'CSHORT', user: 'UREPORTER', text: 'Search is slow' });
    await h.driver.messageShortcut({
      callbackId: CALLBACK.declareIncident,
      userId: REQUESTER,
      channelId: 'CSHORT',
      message: { ts: msg.ts, text: msg.text!, user: 'UREPORTER' },
    });
    const view = await h.fake.waitFor((f) =>
      f.views.filter((v) => v.callback_id === CALLBACK.declareIncidentModal).at(-1),
    );
    const before = await runCount();
    const answer = await submit(h, view, REQUESTER, {
      [BLOCK.title]: { [BLOCK.title]: textInput('Search slow') },
    });
    expect(answer).toEqual({
      response_action: 'errors',
      errors: { [BLOCK.severity]: expect.stringMatching(/SEV1/) },
    });
    expect(await runCount()).toBe(before);
  });
});

describe('app_mention', () => {
  it('when Slack delivers the same mention three times (retries, then a new event_id for the same message), then one run starts in its thread', async () => {
    const ts = h.driver.newTs();
    const event = {
      type: 'app_mention',
      user: REQUESTER,
      text: `<@${h.fake.botUserId}> bug Login page shows a blank screen`,
      channel: 'CMENTION',
      ts,
    };
    const before = await runCount();
    const results = await Promise.all([
      h.driver.event(event, { eventId: 'EvMENTION1' }),
      h.driver.event(event, { eventId: 'EvMENTION1', retryNum: 1, retryReason: 'http_timeout' }),
    ]);
    await h.driver.event(event, { eventId: 'EvMENTION2', retryNum: 2, retryReason: 'http_timeout' });
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const run = await postedRun(h, (await newestRun(h)).id);
    await outboxSettled(h);
    expect(await runCount()).toBe(before + 1);
    expect(run).toMatchObject({ chain: 'bug', threadTs: ts, channelId: 'CMENTION' });
    expect(h.fake.messages('CMENTION').filter((m) => m.ts === run.rootTs)).toHaveLength(1);
    expect(
      h.fake
        .messages('CMENTION')
        .filter((m) => /Bug Fix/.test(visibleText(m)) && m.history.length >= 0 && m.ts === run.rootTs),
    ).toHaveLength(1);
  });

  it('when the mention asks for status, then the answer is ephemeral in the thread', async () => {
    const ts = h.driver.newTs();
    await h.driver.event({
      type: 'app_mention',
      user: REQUESTER,
      text: `<@${h.fake.botUserId}> mine`,
      channel: 'CMENTION',
      ts,
    });
    const e = await h.fake.waitFor((f) => f.ephemerals(REQUESTER).find((x) => x.thread_ts === ts));
    expect(e.via).toBe('chat.postEphemeral');
  });
});

describe('the classifier asks', () => {
  it('when unsure, then the requester alone gets buttons; picking another chain starts it once and is remembered', async () => {
    const before = await runCount();
    await h.driver.slashCommand({ text: 'something about the thing', userId: REQUESTER, channelId: 'CASK' });
    const ask = await h.fake.waitFor((f) =>
      f.ephemerals(REQUESTER).find((e) => JSON.stringify(e.blocks ?? []).includes(ACTION.chooseChain)),
    );
    expect(ask.via).toBe('response_url');
    expect(await runCount()).toBe(before);
    // The best guess is the first (primary) choice; pick the runner-up instead.
    const choices = [...JSON.stringify(ask.blocks).matchAll(/"value":"(\d+)\|([a-z_]+)"/g)].map((m) => ({
      value: `${m[1]}|${m[2]}`,
      chain: m[2]!,
    }));
    const [predicted, picked] = choices;
    expect(picked).toBeDefined();
    const press = () =>
      h.driver.blockAction({
        userId: REQUESTER,
        actionId: ACTION.chooseChain,
        value: picked!.value,
        container: 'ephemeral',
        channelId: 'CASK',
        messageTs: ask.message_ts,
      });
    await Promise.all([press(), press()]);
    const run = await postedRun(h, (await newestRun(h)).id);
    expect(run.chain).toBe(picked!.chain);
    await outboxSettled(h);
    expect(await runCount()).toBe(before + 1);
    const corrections = await until(async () => {
      const all = await h.core.store.read.corrections.all();
      return all.length > 0 ? all : null;
    }, 'the correction');
    expect(corrections).toHaveLength(1);
    expect(corrections.at(-1)).toMatchObject({
      text: 'something about the thing',
      chain: picked!.chain,
      predicted: predicted!.chain,
      actor: REQUESTER,
    });

    // Someone else cannot pick for the requester.
    await h.driver.slashCommand({ text: 'another vague thing here', userId: REQUESTER, channelId: 'CASK' });
    const ask2 = await h.fake.waitFor((f) =>
      f
        .ephemerals(REQUESTER)
        .filter((e) => JSON.stringify(e.blocks ?? []).includes(ACTION.chooseChain))
        .at(1),
    );
    const v2 = /"value":"(\d+\|[a-z_]+)"/.exec(JSON.stringify(ask2.blocks))![1]!;
    await h.driver.blockAction({
      userId: 'UOTHER',
      actionId: ACTION.chooseChain,
      value: v2,
      container: 'ephemeral',
      channelId: 'CASK',
      messageTs: ask2.message_ts,
    });
    const refusal = await h.fake.waitFor((f) => f.ephemerals('UOTHER')[0]);
    expect(refusal.text).toMatch(/Only <@UREQUESTER>/);
    expect(await runCount()).toBe(before + 1);
  });
});

describe('refusals', () => {
  it('when a non-owner presses any step button, then they alone are told why and nothing changes', async () => {
    await h.driver.slashCommand({
      text: 'feature Export invoices as CSV from the web app',
      userId: REQUESTER,
      channelId: 'CREFUSE',
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    await outboxSettled(h);
    const before = await h.core.runs.getRun(run.id);
    const events = (await h.core.store.read.events.forRun(run.id)).length;
    const views = h.fake.views.length;
    for (const action of [ACTION.stepDone, ACTION.stepBlock, ACTION.stepReassign, ACTION.stepAck]) {
      await press(h, run, 'vision_scope', action, 'UNOBODY');
    }
    const refusals = await h.fake.waitFor((f) =>
      f.ephemerals('UNOBODY').length >= 4 ? f.ephemerals('UNOBODY') : null,
    );
    expect(
      refusals.every(
        (e) =>
          /Only @Ghabs or an admin/.test(e.text ?? '') ||
          /Only @Ghabs or an admin/.test(JSON.stringify(e.blocks)),
      ),
    ).toBe(true);
    expect(h.fake.views.length).toBe(views);
    const after = await h.core.runs.getRun(run.id);
    expect(after.steps).toEqual(before.steps);
    expect(after.status).toBe('active');
    const changed = (await h.core.store.read.events.forRun(run.id))
      .slice(events)
      .filter((e) => e.type !== 'refused');
    expect(changed).toEqual([]);
    expect(h.fake.messages('CREFUSE').length).toBe(threadOf(h, run).length);
  });

  it('when a non-admin sets a role, then the refusal is ephemeral and the role is unchanged; an admin sets it with escaped mentions', async () => {
    await h.driver.slashCommand({
      text: 'role set Scribe <@UWRITER|writer>',
      userId: REQUESTER,
      channelId: 'CROLES',
    });
    const refusal = await h.fake.waitFor((f) =>
      f.ephemerals(REQUESTER).find((e) => /admin/.test(e.text ?? '')),
    );
    expect(refusal.via).toBe('response_url');
    expect(await h.core.roles.holdersOf('Scribe')).toEqual([u('Scribe')]);

    h.fake.addUsergroup('SDOCS', ['UWRITER2', 'UWRITER3']);
    await h.driver.slashCommand({
      text: 'role set scribe <@UWRITER|writer> <!subteam^SDOCS|@docs>',
      userId: 'UADMIN',
      channelId: 'CROLES',
    });
    await until(async () => (await h.core.roles.holdersOf('Scribe')).includes('SDOCS'), 'Scribe set');
    expect(await h.core.roles.holdersOf('Scribe')).toEqual(['UWRITER', 'SDOCS']);
    await until(
      async () => (await h.core.store.read.usergroups.get('SDOCS'))?.members.length === 2,
      'group members cached',
    );
    await h.core.roles.setRole(await h.as('UADMIN'), 'Scribe', [u('Scribe')]);
  });
});

describe('delivery faults', () => {
  it('when chat.postMessage answers 429 and then 500, then every message still arrives, once', async () => {
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    h.fake.failNext('chat.postMessage', { status: 500 });
    await h.driver.slashCommand({
      text: 'feature Saved searches for the mobile app',
      userId: REQUESTER,
      channelId: 'CFAULT',
    });
    const runId = (await newestRun(h)).id;
    await until(
      async () =>
        h.fake
          .callsTo('chat.postMessage')
          .some((c) => c.fault && 'status' in c.fault && c.fault.status === 429),
      '429 seen',
    );
    h.clock.advance(1500); // the Retry-After has passed for the bot
    const run = await postedRun(h, runId);
    await outboxSettled(h);
    const faulted = h.fake.callsTo('chat.postMessage').filter((c) => c.fault);
    expect(faulted.map((c) => c.fault)).toEqual([{ status: 429, retryAfter: 1 }, { status: 500 }]);
    const roots = h.fake
      .messages('CFAULT')
      .filter((m) => visibleText(m).includes(run.id) && m.thread_ts === undefined);
    expect(roots).toHaveLength(1);
    expect(handoffs(h, run)).toEqual([{ step: 'vision_scope', mentions: [u('Ghabs')] }]);
  });
});

describe('restart', () => {
  it('when the bot restarts in the middle of a run, then the run carries on from its thread and a redelivered mention still starts nothing', async () => {
    const ts = h.driver.newTs();
    const event = {
      type: 'app_mention',
      user: REQUESTER,
      text: `<@${h.fake.botUserId}> feature Two-factor login for the web app`,
      channel: 'CRESTART',
      ts,
    };
    await h.driver.event(event, { eventId: 'EvRESTART' });
    const run = await postedRun(h, (await newestRun(h)).id);
    await completeStep(h, run, 'vision_scope', u('Ghabs'));
    await h.fake.waitFor(() => handoffs(h, run).find((x) => x.step === 'technical_feasibility'));

    await h.restart();
    const before = await runCount();
    await h.driver.event(event, { eventId: 'EvRESTART', retryNum: 1, retryReason: 'http_timeout' });
    expect((await h.driver.raw({ body: 'x', contentType: 'text/plain', signature: null })).status).toBe(401);

    const done = await walk(h, run.id, [
      { key: 'technical_feasibility', by: [u('Atlas')] },
      { key: 'architecture_design', by: [u('Architect')] },
      { key: 'ux_design', by: [u('ProductDesigner')] },
      { key: 'implementation', by: [u('FrontendLead')] },
      { key: 'quality_gate', by: [u('QAGuard')] },
      { key: 'deployment', by: [u('OpsCommander')] },
      { key: 'documentation', by: [u('Scribe')] },
    ]);
    expect(done.status).toBe('done');
    expect(await runCount()).toBe(before);
    await outboxSettled(h);
    expect(handoffs(h, done).map((x) => x.step)).toContain('documentation');
  });
});

describe('step modals', () => {
  it('when an owner blocks without a reason, then the form says so; with one the run is blocked, a non-owner cannot unblock, the owner can; a reassigned step is done by its new owner', async () => {
    await h.driver.slashCommand({
      text: 'bug Profile page leaks other users emails',
      userId: REQUESTER,
      channelId: 'CBLOCK',
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    await completeStep(h, run, 'report', REQUESTER);
    const block = await pressForModal(
      h,
      run,
      'triage',
      ACTION.stepBlock,
      u('ProjectLead'),
      CALLBACK.stepBlockModal,
    );
    expect(await submit(h, block, u('ProjectLead'), {})).toEqual({
      response_action: 'errors',
      errors: { [BLOCK.reason]: expect.any(String) },
    });
    expect(
      await submit(h, block, u('ProjectLead'), {
        [BLOCK.reason]: { [BLOCK.reason]: textInput('Need repro steps') },
      }),
    ).toBeNull();
    await until(async () => (await h.core.runs.getRun(run.id)).status === 'blocked', 'blocked');
    await press(h, run, 'triage', ACTION.stepUnblock, 'UNOBODY');
    await h.fake.waitFor((f) => f.ephemerals('UNOBODY').find((e) => e.text?.includes('Only')));
    const unblock = await pressForModal(
      h,
      run,
      'triage',
      ACTION.stepUnblock,
      u('ProjectLead'),
      CALLBACK.stepUnblockModal,
    );
    expect(await submit(h, unblock, u('ProjectLead'), {})).toBeNull();
    await until(async () => (await h.core.runs.getRun(run.id)).status === 'active', 'unblocked');

    // Reassign the triage to someone else, who can then complete it.
    const reassign = await pressForModal(
      h,
      run,
      'triage',
      ACTION.stepReassign,
      u('ProjectLead'),
      CALLBACK.stepReassignModal,
    );
    expect(
      await submit(h, reassign, u('ProjectLead'), {
        [BLOCK.assignees]: { [BLOCK.assignees]: { type: 'multi_users_select', selected_users: ['UDEPUTY'] } },
      }),
    ).toBeNull();
    await h.fake.waitFor(() =>
      handoffs(h, run).find((x) => x.step === 'triage' && x.mentions.includes('UDEPUTY')),
    );
    await completeStep(h, run, 'triage', 'UDEPUTY', { ...output('triaged') });
    await until(async () => (await h.core.runs.getRun(run.id)).steps[1]?.status === 'done', 'triage done');
  });
});

describe('App Home and the read-only subcommands', () => {
  it('when an owner opens App Home, then it shows the steps waiting on them, the open runs and the metrics', async () => {
    await h.driver.slashCommand({
      text: 'feature Bulk edit for the web tags page',
      userId: REQUESTER,
      channelId: 'CHOME',
    });
    const run = await postedRun(h, (await newestRun(h)).id);
    expect((await h.driver.appHomeOpened(u('Ghabs'))).status).toBe(200);
    const home = await h.fake.waitFor((f) => f.homeViews(u('Ghabs')).at(-1));
    const text = visibleText({ blocks: home.blocks as never });
    expect(text).toContain('Waiting on you');
    expect(text).toContain(run.id);
    expect(text).toContain('Vision & Scope');
    expect(text).toContain('Chain metrics');
    expect(text).toMatch(/New Feature.*closed, avg .*, success .*, \d+ open/);
    expect(text).toContain('MTTR');
    expect(text).toMatch(/SEV1: .*\n.*SEV2: /);
  });

  it('when asked for status, mine, roles, metrics, help or a digest, then the answers are ephemeral to the asker', async () => {
    for (const text of ['status', 'mine', 'roles', 'metrics', 'help', 'digest weekly']) {
      await h.driver.slashCommand({ text, userId: 'UASKER', channelId: 'CHOME' });
    }
    const answers = await h.fake.waitFor((f) =>
      f.ephemerals('UASKER').length >= 6 ? f.ephemerals('UASKER') : null,
    );
    expect(answers.every((a) => a.via === 'response_url')).toBe(true);
    const texts = answers.map((a) => visibleText(a));
    expect(texts.find((t) => /open run/.test(t))).toBeDefined();
    expect(texts.find((t) => /Nothing is waiting on you/.test(t))).toBeDefined();
    expect(texts.find((t) => /@Ghabs/.test(t))).toBeDefined();
    expect(texts.find((t) => /DIGEST_CHANNEL is not set/.test(t))).toBeDefined();
    expect(texts.find((t) => /\/lead/.test(t) && /mine/.test(t) && /postmortem/.test(t))).toBeDefined();
    expect(texts.find((t) => /Chain metrics/.test(t) && /MTTR/.test(t))).toBeDefined();
  });
});
