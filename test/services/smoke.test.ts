import { describe, expect, it } from 'vitest';
import { createTestEngine, userFor } from '../support/engine.ts';

describe('smoke', () => {
  it('walks a feature', async () => {
    const e = await createTestEngine();
    const { run } = await e.runs.startRun({ chain: 'feature', title: 'Dark mode', text: 'Dark mode', requester: 'UREQ', projects: ['mobile'] });
    expect(run.id).toBe('FEAT-1');
    let r = run;
    while (r.status === 'active') {
      const step = r.steps.find((s) => s.status === 'active')!;
      for (const role of [...step.owners, ...step.approvers]) {
        r = await e.runs.completeStep(r.id, userFor(role), { output: `${role} did it` });
      }
    }
    expect(r.status).toBe('done');
    console.log(r.steps.map((s) => `${s.key}:${s.status}:${s.owners}`));
    const ev = await e.store.read.events.forRun(r.id);
    console.log(ev.map((x) => x.type).join(','));
    const ob = await e.store.read.outbox.list();
    console.log(ob.map((o) => `${o.delivery.kind}:${o.notice.type}`).join(','));
  });
});
