import { describe, expect, it } from 'vitest';
import type { EscalationNotice } from '../../src/domain/clock-notices.ts';
import { buildEscalationMessage } from '../../src/slack/blocks/clocks/index.ts';
import type { SlackMessage } from '../../src/slack/blocks/kit.ts';
import { createClockEngine, DAY, HOUR, MIN } from '../services/clocks/clock-engine.ts';
import { ADMIN, userFor } from '../support/engine.ts';
import { visibleText } from '../support/fake-slack.ts';

const shownText = (m: SlackMessage) => visibleText({ text: m.text, blocks: m.blocks as never });

describe('scheduler: step deadlines (seed 000: acknowledge within 12 h, remind at 10, escalate at 14)', () => {
  it('when nobody acknowledges a feature step, then the owner is reminded at hour 10 and the direct lead escalated to at hour 14', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'Dark mode',
      requester: 'UREQ',
    });
    e.clock.advance(10 * HOUR - MIN);
    expect(await e.scheduler.tick()).toEqual([]);
    e.clock.advance(MIN);
    const first = await e.scheduler.tick();
    expect(first.map((f) => f.kind)).toEqual(['ack_reminder']);
    expect(first[0]!.late).toBe(false);
    const [reminder] = e.notices(['reminder']);
    expect(reminder!.notice).toMatchObject({
      runId: run.id,
      stepKey: 'vision_scope',
      phase: 'ack',
      owners: [{ role: 'Ghabs', principals: ['UGHABS'] }],
    });
    e.clock.advance(4 * HOUR);
    const second = await e.scheduler.tick();
    expect(second.map((f) => f.kind)).toEqual(['ack_due', 'ack_escalation']);
    const esc = e.notices(['escalation']);
    // Ghabs is the top: nobody above holds a role.
    expect(esc[0]!.notice).toMatchObject({ type: 'escalation', escalatedTo: [], noTarget: ['Ghabs'] });
    expect(await e.scheduler.tick()).toEqual([]);
  });

  it('when an owner acknowledges, then the acknowledgement clock stops and the completion clock goes on', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'x',
      requester: 'UREQ',
    });
    await e.runs.completeStep(run.id, await e.as(userFor('Ghabs')), { output: 'brief' });
    e.clock.advance(HOUR);
    await e.runs.acknowledgeStep(run.id, await e.as(userFor('Atlas')));
    e.clock.advance(20 * HOUR);
    expect(await e.scheduler.tick()).toEqual([]);
    e.clock.advance(3 * DAY);
    const fired = await e.scheduler.tick();
    expect(fired.map((f) => [f.kind, f.stepKey])).toEqual([['done_reminder', 'technical_feasibility']]);
  });

  it('when Architect sits on a step, then escalations climb direct lead → cross-functional lead → exec', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({ chain: 'feature', title: 'X', text: 'x', requester: 'UREQ' });
    await e.runs.completeStep(run.id, await e.as(userFor('Ghabs')), { output: 'brief' });
    await e.runs.completeStep(run.id, await e.as(userFor('Atlas')), { output: 'ok' });
    e.clock.advance(8 * DAY);
    const fired = await e.scheduler.tick();
    expect(fired.filter((f) => f.escalatedTo).map((f) => [f.kind, f.escalatedTo])).toEqual([
      ['ack_escalation', ['Atlas']],
      ['done_escalation', ['ProjectLead']],
      ['done_escalation', ['Ghabs']],
    ]);
    const dms = e.notices(['escalation']).filter((n) => n.kind === 'dm');
    expect(dms.map((d) => d.channelId)).toEqual(['UATLAS', 'UPROJECTLEAD', 'UGHABS']);
    const events = await e.events(run.id);
    expect(events.every((ev) => ev.data.late === true)).toBe(true);
  });

  it('when a role on the escalation path is empty, then it is passed over and the next tier is escalated to', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({ chain: 'feature', title: 'X', text: 'x', requester: 'UREQ' });
    await e.runs.completeStep(run.id, await e.as(userFor('Ghabs')), { output: 'brief' });
    await e.runs.completeStep(run.id, await e.as(userFor('Atlas')), { output: 'ok' });
    await e.store.transaction((repos) => repos.roles.set('Atlas', [], ADMIN, e.clock.ms));
    e.clock.advance(15 * HOUR); // Architect's 12 h acknowledgement rule: escalated at 14 h
    await e.scheduler.tick();
    const [thread] = e.notices(['escalation']);
    const notice = thread!.notice as EscalationNotice;
    expect(notice).toMatchObject({
      escalatedTo: [{ role: 'ProjectLead', principals: ['UPROJECTLEAD'], from: 'Architect' }],
      noTarget: [],
      passedOver: ['Atlas'],
    });
    const m = buildEscalationMessage(notice);
    expect(shownText(m)).toContain('<@UPROJECTLEAD> (@ProjectLead) as cross-functional lead of @Architect');
    expect(shownText(m)).toContain('Passed over (nobody holds it): @Atlas');
  });

  it('when nobody on the escalation path holds a role, then the admins are told at the end, and no message says "escalated to nobody"', async () => {
    const e = await createClockEngine();
    const { run } = await e.runs.startRun({ chain: 'feature', title: 'X', text: 'x', requester: 'UREQ' });
    await e.runs.completeStep(run.id, await e.as(userFor('Ghabs')), { output: 'brief' });
    await e.runs.completeStep(run.id, await e.as(userFor('Atlas')), { output: 'ok' });
    for (const role of ['Atlas', 'ProjectLead', 'Ghabs'])
      await e.store.transaction((repos) => repos.roles.set(role, [], ADMIN, e.clock.ms));
    e.clock.advance(15 * HOUR);
    const fired = await e.scheduler.tick();
    expect(fired.filter((f) => f.escalatedTo).map((f) => [f.kind, f.escalatedTo, f.adminsTold])).toEqual([
      ['ack_escalation', [], [ADMIN]],
    ]);
    const rows = e.notices(['escalation']);
    expect(rows.map((r) => [r.kind, r.kind === 'dm' ? r.channelId : null])).toEqual([
      ['thread', null],
      ['dm', ADMIN],
    ]);
    const notice = rows[0]!.notice as EscalationNotice;
    expect(notice).toMatchObject({
      escalatedTo: [],
      noTarget: ['Architect'],
      passedOver: ['Atlas', 'ProjectLead', 'Ghabs'],
      admins: [ADMIN],
    });
    const m = buildEscalationMessage(notice);
    const shown = shownText(m);
    expect(shown).not.toMatch(/escalated to nobody/i);
    expect(shown).toContain(`Nobody above @Architect holds a role: escalated to the admins, <@${ADMIN}>`);
    expect(m.text).toContain('escalated to the admins');
    const event = (await e.events(run.id)).find((ev) => ev.data.kind === 'ack_escalation');
    expect(event!.data).toMatchObject({ kind: 'ack_escalation', escalatedTo: [], adminsTold: [ADMIN] });
  });
});
