import { describe, expect, it } from 'vitest';
import { createDigestService, WORKSPACE_URL_SETTING } from '../../../src/services/digests/digest-service.ts';
import { digestText } from '../../../src/services/reports/report-text.ts';
import { userFor } from '../../support/engine.ts';
import {
  type ClockEngine,
  createClockEngine,
  DAY,
  HOUR,
  MIN,
  toBreachAssessment,
} from '../clocks/clock-engine.ts';

async function finish(e: ClockEngine, runId: string) {
  let r = await e.runs.getRun(runId);
  while (r.status === 'active') {
    const step = r.steps.find((s) => s.status === 'active')!;
    for (const role of [...step.owners, ...step.approvers]) {
      r = await e.runs.completeStep(r.id, await e.as(role === 'Requester' ? r.requester : userFor(role)), {
        output: `${role} did it`,
      });
    }
  }
  return r;
}

async function seed() {
  const e = await createClockEngine();
  const digests = createDigestService({
    store: e.store,
    clock: e.clock.now,
    timeZone: 'UTC',
    channel: 'CALGO',
    playbooks: e.playbooks,
    workerId: 'w1',
  });
  // Installed a week ago; the workspace URL is what auth.test said.
  await e.store.transaction(async (repos) => {
    await repos.settings.installedAt(e.clock.ms - 7 * DAY);
    await repos.settings.set(WORKSPACE_URL_SETTING, 'https://acme.slack.com/', e.clock.ms);
  });
  // Shipped before the last digest.
  const old = await e.runs.startRun({
    chain: 'feature',
    title: 'Old thing',
    text: 'x',
    requester: 'UREQ',
    channelId: 'CDEV',
  });
  await finish(e, old.run.id);
  e.clock.advance(HOUR);
  expect((await digests.postDigest('daily')).posted).toBe(true);
  e.clock.advance(HOUR);
  // Shipped since: a feature, posted in a thread.
  const shipped = await e.runs.startRun({
    chain: 'feature',
    title: 'Dark mode',
    text: 'x',
    requester: 'UREQ',
    channelId: 'CDEV',
  });
  await e.store.read.runs.setRootMessage(shipped.run.id, 'CDEV', '1700000000.000100', '1700000000.000100');
  await finish(e, shipped.run.id);
  // Rejected: not shipped.
  const rejected = await e.runs.startRun({
    chain: 'feature',
    title: 'Bad idea',
    text: 'x',
    requester: 'UREQ',
  });
  await e.runs.completeStep(rejected.run.id, await e.as(userFor('Ghabs')), { output: 'brief' });
  await e.runs.rejectRun(rejected.run.id, await e.as(userFor('Atlas')), { reason: 'infeasible' });
  // Pending: a change waiting 13 h unacknowledged on its Impact Analysis (overdue: 12 h rule).
  const change = await e.runs.startRun({
    chain: 'cross_project',
    title: 'API v2',
    text: 'x',
    requester: userFor('BackendLead'),
  });
  await e.runs.completeStep(change.run.id, await e.as(userFor('BackendLead')), { output: 'proposal' });
  e.clock.advance(13 * HOUR);
  // Pending, acknowledged, fresh: a bug at triage.
  const bug = await e.runs.startRun({ chain: 'bug', title: 'Login fails', text: 'x', requester: 'UREQ' });
  await e.runs.completeStep(bug.run.id, await e.as('UREQ'), { output: 'steps' });
  await e.runs.acknowledgeStep(bug.run.id, await e.as(userFor('ProjectLead')));
  // Blocked: an incident.
  const inc = await e.runs.startRun({
    chain: 'incident',
    title: 'API down',
    text: 'x',
    requester: 'UOPS',
    severity: 'sev1',
  });
  await e.runs.blockStep(inc.run.id, await e.as(userFor('OpsCommander')), {
    reason: 'waiting on the vendor',
  });
  // Open incident with a GDPR clock.
  const breach = await toBreachAssessment(e);
  await e.runs.completeStep(breach.id, await e.as(userFor('Privacy')), {
    output: 'emails exposed',
    facts: { userDataExposed: true },
  });
  e.clock.advance(30 * MIN);
  return {
    e,
    digests,
    ids: {
      old: old.run.id,
      shipped: shipped.run.id,
      change: change.run.id,
      bug: bug.run.id,
      inc: inc.run.id,
      breach: breach.id,
    },
  };
}

describe('digest content for a seeded history', () => {
  it('when the daily digest is built, then shipped, pending, blocked, overdue, incidents and GDPR clocks are exactly right', async () => {
    const { digests, ids } = await seed();
    const d = await digests.buildDigest('daily');
    expect(d.shipped.total).toBe(1);
    expect(d.shipped.items.map((s) => s.id)).toEqual([ids.shipped]);
    expect(d.shipped.items[0]!.link).toBe('https://acme.slack.com/archives/CDEV/p1700000000000100');
    expect(d.pending.groups.map((g) => [g.chain, g.stepKey, g.items.map((i) => i.id)])).toEqual([
      ['bug', 'triage', [ids.bug]],
      // The incident's Permanent Fix runs as a linked Bug Fix, waiting at Fix.
      ['bug', 'fix', ['BUG-2']],
      ['incident', 'permanent_fix', [ids.breach]],
      ['cross_project', 'impact_analysis', [ids.change]],
    ]);
    const change = d.pending.groups.find((g) => g.chain === 'cross_project')!.items[0]!;
    expect(change).toMatchObject({
      owners: [{ role: 'Architect', principals: ['UARCHITECT'] }],
      ageMs: 13.5 * HOUR,
      acknowledged: false,
    });
    expect(d.blocked.items.map((b) => [b.id, b.stepTitle, b.reason, b.role])).toEqual([
      [ids.inc, 'Detect', 'waiting on the vendor', 'OpsCommander'],
    ]);
    // The change: 12 h rule; the SEV1 incident: acknowledge within 10 min; the SEV2 one is within its hour.
    expect(d.overdue.items.map((o) => [o.id, o.phase, o.overdueByMs])).toEqual([
      [ids.change, 'ack', 1.5 * HOUR],
      [ids.inc, 'ack', 20 * MIN],
    ]);
    expect(d.incidents.bySeverity.map((s) => [s.severity, s.items.map((i) => i.id)])).toEqual([
      ['sev1', [ids.inc]],
      ['sev2', [ids.breach]],
    ]);
    expect(d.gdpr.items.map((g) => [g.id, g.remainingMs])).toEqual([[ids.breach, 71.5 * HOUR]]);
    expect(d.metrics).toBeNull();
    const md = digestText(d);
    expect(md).toContain(
      `[${ids.shipped}](https://acme.slack.com/archives/CDEV/p1700000000000100) Dark mode`,
    );
    expect(md).toContain('## Overdue (2)');
    expect(md).not.toContain(ids.old);
  });

  it('when the weekly digest is built, then it adds per-chain metrics and the change from the week before', async () => {
    const { e, digests } = await seed();
    const d = await digests.buildDigest('weekly');
    const feature = d.metrics!.current.chains.find((c) => c.chain === 'feature')!;
    expect(feature).toMatchObject({ count: 3, done: 2, successRate: 2 / 3 });
    expect(d.metrics!.change.find((c) => c.chain === 'feature')).toMatchObject({
      count: 3,
      successRate: null,
    });
    e.clock.advance(8 * DAY);
    const next = await digests.buildDigest('weekly');
    expect(next.metrics!.change.find((c) => c.chain === 'feature')).toMatchObject({ count: -3 });
    expect(digestText(next)).toContain('vs week before: -3 runs');
  });

  it('when a period was posted, then posting it again does nothing, and force posts anyway', async () => {
    const { e, digests } = await seed();
    // The seed posted yesterday's; today's is posted once.
    expect((await digests.postDigest('daily')).posted).toBe(true);
    expect(await digests.postDigest('daily')).toMatchObject({ posted: false, reason: 'already_posted' });
    e.clock.advance(DAY);
    expect((await digests.postDigest('daily')).posted).toBe(true);
    expect((await digests.postDigest('daily', { force: true })).posted).toBe(true);
    const posted = e.notices(['digest']);
    expect(posted).toHaveLength(4);
    expect(posted.every((p) => p.kind === 'channel' && p.channelId === 'CALGO')).toBe(true);
  });
});
