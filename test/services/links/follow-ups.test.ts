// Post-mortem follow-ups that are tracked: each becomes a Bug Fix or New Feature run linked to
// the incident, listed on the incident and in the weekly digest until it closes; the incident's
// close time (and so MTTR and its average duration) does not wait for its follow-ups.
import { afterEach, describe, expect, it } from 'vitest';
import { linksOf, liveChild } from '../../../src/domain/links.ts';
import type { Run } from '../../../src/domain/types.ts';
import { buildDigestData } from '../../../src/services/digests/digest.ts';
import { computeMetrics } from '../../../src/services/metrics/metrics.ts';
import { createPostmortemService } from '../../../src/services/postmortems/postmortem.ts';
import { digestText } from '../../../src/services/reports/report-text.ts';
import { parseThreadCommand } from '../../../src/services/thread-command.ts';
import { createTestEngine, type TestEngine, userFor } from '../../support/engine.ts';

const HOUR = 3600_000;
const engines: TestEngine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.close();
});

async function walk(e: TestEngine, run: Run): Promise<Run> {
  let r = run;
  for (let guard = 0; r.status === 'active' && guard < 60; guard++) {
    const step = r.steps.find((s) => s.status === 'active')!;
    const child = liveChild(r, step.key);
    if (child) {
      await walk(e, await e.runs.getRun(child.runId));
      r = await e.runs.getRun(r.id);
      continue;
    }
    const role =
      step.owners.find((o) => !step.deliveries[o]) ?? step.approvers.find((o) => !step.deliveries[o])!;
    e.clock.advance(HOUR);
    const who = role === 'Requester' ? r.requester : userFor(role);
    r = await e.runs.completeStep(r.id, await e.as(who), { stepKey: step.key, output: 'ok', role });
  }
  return r;
}

async function closedIncident() {
  const e = await createTestEngine();
  engines.push(e);
  const { run } = await e.runs.startRun({
    chain: 'incident',
    title: 'Search is down',
    text: 'Search returns 503',
    requester: 'UREPORTER',
    channelId: 'CINC',
    severity: 'sev2',
    projects: ['backend'],
  });
  const incident = await walk(e, run);
  expect(incident.status).toBe('done');
  return { e, incident };
}

describe('post-mortem follow-ups', () => {
  it('turns a follow-up into a linked run once; the incident and the weekly digest show it until it closes; MTTR is the incident’s own', async () => {
    const { e, incident } = await closedIncident();
    const postmortems = createPostmortemService({
      store: e.store,
      clock: e.clock.now,
      playbooks: e.playbooks,
      timeZone: 'UTC',
    });
    const draft = await postmortems.draft(incident.id);
    expect(draft.followUps).toContain('Update the runbook (@Scribe)');

    e.clock.advance(2 * HOUR);
    const atlas = await e.as(userFor('Atlas'));
    const { run: bug, created } = await e.runs.startFollowUp(incident.id, atlas, {
      chain: 'bug',
      title: 'Search index rebuild has no timeout',
    });
    expect(created).toBe(true);
    expect(bug).toMatchObject({
      chain: 'bug',
      source: 'follow_up',
      requester: userFor('Atlas'),
      channelId: 'CINC',
    });
    expect(linksOf(bug)).toEqual([expect.objectContaining({ relation: 'follow_up_of', runId: incident.id })]);
    // Asked again, the same follow-up is the same run.
    const again = await e.runs.startFollowUp(incident.id, atlas, {
      chain: 'bug',
      title: '  Search index rebuild  has no timeout ',
    });
    expect(again).toMatchObject({ created: false, run: { id: bug.id } });
    const { run: feat } = await e.runs.startFollowUp(incident.id, await e.as('UADMIN'), {
      chain: 'feature',
      title: 'Update the runbook (@Scribe)',
    });

    const closed = await e.runs.getRun(incident.id);
    expect(closed.status).toBe('done');
    expect(closed.closedAt).toBe(incident.closedAt);
    expect(linksOf(closed).filter((l) => l.relation === 'follow_up')).toEqual([
      expect.objectContaining({ runId: bug.id, status: 'active' }),
      expect.objectContaining({ runId: feat.id, status: 'active' }),
    ]);
    // A follow-up already open is not offered again; the draft lists it with its state.
    const redraft = await postmortems.draft(incident.id);
    expect(redraft.followUps).not.toContain('Update the runbook (@Scribe)');
    expect(redraft.markdown).toContain(`${bug.id}: Search index rebuild has no timeout (active)`);

    const weekly = async () =>
      buildDigestData(e.store.read, {
        kind: 'weekly',
        periodKey: 'weekly:2026-W45',
        now: e.clock.now(),
        since: e.clock.now() - 7 * 24 * HOUR,
        timeZone: 'UTC',
        playbooks: e.playbooks,
      });
    let digest = await weekly();
    expect(digest.followUps).toMatchObject({
      total: 2,
      incidents: [{ incident: { id: incident.id }, items: [{ id: bug.id }, { id: feat.id }] }],
    });
    expect(digestText(digest)).toMatch(
      new RegExp(`Open follow-ups \\(2\\)[\\s\\S]*${incident.id}.*${bug.id}`),
    );

    // MTTR and the incident's duration count to its own close, not its follow-ups'.
    const metrics = await computeMetrics(e.store.read.reports, e.playbooks, { from: null, to: null });
    expect(metrics.chains.find((c) => c.chain === 'incident')).toMatchObject({
      done: 1,
      avgDurationMs: incident.closedAt! - incident.createdAt,
    });

    await walk(e, await e.runs.getRun(bug.id));
    expect(linksOf(await e.runs.getRun(incident.id)).find((l) => l.runId === bug.id)?.status).toBe('done');
    digest = await weekly();
    expect(digest.followUps).toMatchObject({ total: 1, incidents: [{ items: [{ id: feat.id }] }] });
    await e.runs.cancelRun(feat.id, await e.as('UADMIN'), { reason: 'Runbook updated by hand' });
    expect((await weekly()).followUps).toEqual({ total: 0, incidents: [] });
  });

  it('is refused from a run that is not an incident, and to someone who had no part in it', async () => {
    const { e, incident } = await closedIncident();
    await expect(
      e.runs.startFollowUp(incident.id, await e.as('UOUTSIDER'), { chain: 'bug', title: 'x' }),
    ).rejects.toMatchObject({ code: 'not_allowed' });
    const { run: feature } = await e.runs.startRun({
      chain: 'feature',
      title: 'Dark mode',
      text: 'Dark mode',
      requester: 'UREQ',
      channelId: 'CF',
    });
    await expect(
      e.runs.startFollowUp(feature.id, await e.as('UADMIN'), { chain: 'bug', title: 'x' }),
    ).rejects.toMatchObject({ code: 'not_incident' });
    expect(await e.store.read.runs.list({ chain: 'bug' })).toHaveLength(1); // the Permanent Fix only
  });

  it('is said in the thread as `follow-up bug|feature <what>`', () => {
    const run = { id: 'INC-3', steps: [] };
    expect(parseThreadCommand('follow-up bug Add a timeout to the index rebuild', run)).toEqual({
      kind: 'verb',
      verb: 'start_follow_up',
      input: { run_id: 'INC-3', chain: 'bug', title: 'Add a timeout to the index rebuild' },
    });
    expect(parseThreadCommand('followup feature: Runbook search', run)).toMatchObject({
      input: { chain: 'feature', title: 'Runbook search' },
    });
    expect(() => parseThreadCommand('follow-up chore tidy', run)).toThrow(/follow-up bug <what>/);
  });
});
