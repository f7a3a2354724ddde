import { describe, expect, it } from 'vitest';
import { createPostmortemService } from '../../../src/services/postmortems/postmortem.ts';
import { buildPostmortemMessage } from '../../../src/slack/blocks/index.ts';
import { userFor } from '../../support/engine.ts';
import { createClockEngine, MIN } from '../clocks/clock-engine.ts';

describe('post-mortem drafts', () => {
  it('when an incident was walked, then the draft has its timeline, severity, impact, root cause, mitigation, permanent fix and follow-ups', async () => {
    const e = await createClockEngine();
    const service = createPostmortemService({
      store: e.store,
      clock: e.clock.now,
      playbooks: e.playbooks,
      timeZone: 'UTC',
    });
    const { run } = await e.runs.startRun({
      chain: 'incident',
      title: 'API down',
      text: 'x',
      requester: userFor('OpsCommander'),
      severity: 'sev1',
      projects: ['backend'],
    });
    const outputs: Record<string, string> = {
      detect: '5xx at 80% on api, all users affected',
      assess_severity: 'SEV1: service down',
      notify: 'Atlas and Ghabs told',
      diagnose: 'Connection pool exhausted after deploy 412',
      mitigate: 'Rolled back to 411',
    };
    let r = run;
    for (const key of Object.keys(outputs)) {
      e.clock.advance(10 * MIN);
      const step = r.steps.find((s) => s.status === 'active')!;
      expect(step.key).toBe(key);
      for (const role of step.owners)
        r = await e.runs.completeStep(r.id, await e.as(userFor(role)), { output: outputs[key] });
    }
    const draft = await service.draft(run.id);
    expect(draft.markdown).toContain('# Post-mortem draft: INC-1 API down');
    expect(draft.markdown).toContain('**Severity:** SEV1 (Service down, all users affected)');
    expect(draft.markdown).toContain('**Service restored:** 2026-11-02 09:50 UTC (50m after detection)');
    expect(draft.markdown).toMatch(/## Impact\n5xx at 80% on api, all users affected/);
    expect(draft.markdown).toMatch(/## Root cause\n.*Connection pool exhausted after deploy 412/);
    expect(draft.markdown).toMatch(/## Mitigation\nRolled back to 411/);
    expect(draft.markdown).toMatch(/## Permanent fix\n_Not recorded yet/);
    expect(draft.markdown).toContain(
      '- 2026-11-02 09:50 Mitigate done by @UOPSCOMMANDER: Rolled back to 411',
    );
    expect(draft.markdown).toContain('- [ ] Permanent Fix (@BackendLead)');

    await service.postPostmortem(run.id, await e.as(userFor('Atlas')));
    const posted = e.notices(['postmortem']);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.kind).toBe('thread');
    const message = buildPostmortemMessage(
      posted[0]!.notice as unknown as { runId: string; markdown: string },
    );
    expect(message.text).toBe('Post-mortem draft: INC-1 API down');
    expect(JSON.stringify(message.blocks)).toContain('<@UOPSCOMMANDER>');
  });

  it('when the run is not an incident, then there is no post-mortem', async () => {
    const e = await createClockEngine();
    const service = createPostmortemService({
      store: e.store,
      clock: e.clock.now,
      playbooks: e.playbooks,
      timeZone: 'UTC',
    });
    const { run } = await e.runs.startRun({ chain: 'feature', title: 'X', text: 'x', requester: 'UREQ' });
    await expect(service.draft(run.id)).rejects.toMatchObject({ code: 'not_incident' });
    await expect(service.draft('INC-99')).rejects.toMatchObject({ code: 'run_not_found' });
  });
});
