// Messages that say what is asked, and safe digests, through the real app and the fake Slack:
// DMs link to the run's thread and follow its root message, a block on a gated step says
// whether the gate failed or the step waits, `/lead digest` posts for admins only (an event),
// user text is escaped and digest links are the workspace's permalinks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, BLOCK, CALLBACK } from '../../src/slack/ids.ts';
import {
  ADMIN,
  type Harness,
  outboxSettled,
  postedRun,
  startHarness,
  threadOf,
  userFor as u,
  until,
} from '../support/app-harness.ts';
import { queryRows } from '../support/engine.ts';
import { type FakeMessage, visibleText } from '../support/fake-slack.ts';
import { pressForModal, reason, select, submit } from './walk.ts';

const DIGEST_CHANNEL = 'CALGO';
const PERMALINKS = 'https://fake.slack.test/archives';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { DIGEST_CHANNEL } });
});
afterAll(() => h.close());

const permalink = (channel: string, ts: string) => `${PERMALINKS}/${channel}/p${ts.replace('.', '')}`;

/** The events with no run (digests), oldest first. */
async function eventsOfType(type: string): Promise<{ actor: string; data: Record<string, unknown> }[]> {
  return queryRows<{ actor: string; data: Record<string, unknown> }>(
    h.core.store,
    'select actor, data from events where type = ? order by id',
    [type],
  );
}

describe('direct messages', () => {
  it('when a SEV1 incident tells Ghabs and Atlas directly, then each DM links to the run thread and is posted after the thread', async () => {
    const { run } = await h.core.runs.startRun({
      chain: 'incident',
      severity: 'sev1',
      title: 'Checkout is down',
      text: 'Checkout is down for everyone',
      requester: 'UREQ',
      channelId: 'CDM',
      source: 'slash',
    });
    const posted = await postedRun(h, run.id);
    await outboxSettled(h);
    const all = h.fake.messages();
    const rootAt = all.findIndex((m) => m.channel === 'CDM' && m.ts === posted.rootTs);
    // Channels send in their own lanes: a DM follows every thread reply written before it.
    const rows = await h.core.store.read.outbox.list({ runId: run.id });
    const threadBefore = (dmId: number) =>
      rows
        .filter((r) => r.delivery.kind === 'thread' && r.id < dmId)
        .map((r) => all.findIndex((m) => m.channel === 'CDM' && m.ts === r.resultTs));
    for (const who of [u('Ghabs'), u('Atlas')]) {
      const dms = h.fake.messages(h.fake.dmChannel(who));
      expect(dms.length).toBeGreaterThan(0);
      const dmRows = rows.filter((r) => r.delivery.kind === 'dm' && r.delivery.userId === who);
      expect(dmRows.length).toBe(dms.length);
      for (const [i, dm] of dms.entries()) {
        expect(visibleText(dm)).toContain(
          `<${permalink('CDM', posted.rootTs!)}|Open the thread of ${run.id}>`,
        );
        const before = threadBefore(dmRows[i]!.id);
        expect(before.length).toBeGreaterThan(0);
        expect(before).not.toContain(-1);
        expect(all.indexOf(dm)).toBeGreaterThan(Math.max(rootAt, ...before));
      }
    }
  });
});

describe('the run status from App Home', () => {
  it('when the Status button of a run is pressed, then the DM with its status links to the run thread', async () => {
    const { run } = await h.core.runs.startRun({
      chain: 'bug',
      title: 'Search is slow',
      text: 'Search takes 10 s',
      requester: 'UHOME',
      channelId: 'CHOMEDM',
      source: 'slash',
    });
    const posted = await postedRun(h, run.id);
    expect((await h.driver.appHomeOpened('UHOME')).status).toBe(200);
    const home = await h.fake.waitFor((f) =>
      f.views.filter((v) => v.openedBy === 'views.publish' && v.user === 'UHOME').at(-1),
    );
    expect(JSON.stringify(home.view)).toContain(run.id);
    const res = await h.driver.blockAction({
      userId: 'UHOME',
      actionId: ACTION.openRun,
      value: run.id,
      container: { viewId: home.id },
    });
    expect(res.status).toBe(200);
    const dm = await h.fake.waitFor((f) => f.messages(f.dmChannel('UHOME')).at(-1));
    expect(visibleText(dm)).toContain(
      `<${permalink('CHOMEDM', posted.rootTs!)}|Open the thread of ${run.id}>`,
    );
  });
});

describe('blocking a gated step', () => {
  it('when the owner says the step is waiting on something, then the thread says so, not that the gate failed; when the gate failed, it says that', async () => {
    const { run } = await h.core.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'Dark mode for the mobile app',
      requester: 'UREQ',
      channelId: 'CGATE',
      source: 'slash',
    });
    const posted = await postedRun(h, run.id);
    const ghabs = u('Ghabs');
    const modal = await pressForModal(
      h,
      posted,
      'vision_scope',
      ACTION.stepBlock,
      ghabs,
      CALLBACK.stepBlockModal,
    );
    expect(JSON.stringify(modal.view.blocks)).toContain(`"block_id":"${BLOCK.blockKind}"`);
    expect(visibleText({ blocks: modal.view.blocks as never })).toMatch(
      /The gate failed[\s\S]*Waiting on something/,
    );
    expect(
      await submit(h, modal, ghabs, {
        ...select(BLOCK.blockKind, 'waiting'),
        ...reason('The market study lands Friday'),
      }),
    ).toBeNull();
    const waiting = await h.fake.waitFor(() =>
      threadOf(h, posted).find((m) => visibleText(m).includes('The market study lands Friday')),
    );
    expect(visibleText(waiting)).toContain('waiting on something');
    expect(visibleText(waiting)).not.toMatch(/gate failed/i);
    let events = await h.core.store.read.events.forRun(run.id);
    expect(events.at(-1)).toMatchObject({ type: 'step_blocked', data: { waiting: true, gate: null } });

    await h.core.runs.unblockStep(run.id, await h.as(ghabs), {});
    await outboxSettled(h);
    const again = await pressForModal(
      h,
      posted,
      'vision_scope',
      ACTION.stepBlock,
      ghabs,
      CALLBACK.stepBlockModal,
    );
    expect(
      await submit(h, again, ghabs, {
        ...select(BLOCK.blockKind, 'gate_failed'),
        ...reason('Fails question 3'),
      }),
    ).toBeNull();
    const failed = await h.fake.waitFor(() =>
      threadOf(h, posted).find((m) => visibleText(m).includes('Fails question 3')),
    );
    expect(visibleText(failed)).toContain('the gate failed');
    events = await h.core.store.read.events.forRun(run.id);
    expect(events.at(-1)).toMatchObject({ type: 'gate_failed', data: { gate: expect.any(String) } });
  });
});

describe('/lead digest', () => {
  it('when someone who is not an admin asks for the digest, then they alone see it and nothing is posted; an admin posts it, and the post is an event', async () => {
    await h.driver.slashCommand({ text: 'digest', userId: 'UASKER', channelId: 'CHOME' });
    const seen = await h.fake.waitFor((f) =>
      f.ephemerals('UASKER').find((e) => visibleText(e).includes('Daily digest')),
    );
    expect(visibleText(seen)).toContain(
      `Shown to you alone: only admins post digests to <#${DIGEST_CHANNEL}>`,
    );
    expect(await eventsOfType('digest_posted')).toEqual([]);

    await h.driver.slashCommand({ text: 'digest weekly', userId: ADMIN, channelId: 'CHOME' });
    const told = await h.fake.waitFor((f) =>
      f.ephemerals(ADMIN).find((e) => visibleText(e).includes('on its way')),
    );
    expect(visibleText(told)).toContain(`The weekly digest is on its way to <#${DIGEST_CHANNEL}>`);
    await h.fake.waitFor((f) => f.messages(DIGEST_CHANNEL).length > 0);
    await outboxSettled(h);
    expect(h.fake.messages(DIGEST_CHANNEL).map((m) => m.text)).toEqual([
      expect.stringMatching(/^Weekly digest, /),
    ]);
    expect(await eventsOfType('digest_posted')).toEqual([
      {
        actor: ADMIN,
        data: expect.objectContaining({ kind: 'weekly', channel: DIGEST_CHANNEL, manual: true }),
      },
    ]);
  });

  it('when titles and reasons hold markup, then the posted digest shows them escaped, and its links are the workspace permalinks', async () => {
    const { run } = await h.core.runs.startRun({
      chain: 'bug',
      title: 'Checkout <script>alert(1)</script> & <!channel>',
      text: 'Checkout shows a script',
      requester: 'UREQ',
      channelId: 'CESC',
      source: 'slash',
    });
    const posted = await postedRun(h, run.id);
    await h.core.runs.blockStep(run.id, await h.as('UREQ'), { reason: 'Vendor says <b>soon</b> <!here>' });
    await outboxSettled(h);
    const before = h.fake.messages(DIGEST_CHANNEL).length;
    await h.driver.slashCommand({ text: 'digest', userId: ADMIN, channelId: 'CHOME' });
    const digest: FakeMessage = await h.fake.waitFor((f) => f.messages(DIGEST_CHANNEL)[before]);
    const shown = visibleText(digest);
    expect(shown).toContain(run.id);
    expect(shown).not.toMatch(/<script>|<\/script>|<b>|<!channel>|<!here>/);
    expect(shown).toContain('Checkout &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;');
    expect(shown).toContain('Vendor says &lt;b&gt;soon&lt;/b&gt; &lt;!here&gt;');
    expect(shown).toContain(`<${permalink('CESC', posted.rootTs!)}|${run.id}>`);
    expect(shown).not.toContain('https://slack.com/');
    await until(async () => (await eventsOfType('digest_posted')).length === 2, 'the second digest event');
  });
});
