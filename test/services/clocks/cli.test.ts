import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { tempDbPath } from '../../support/engine.ts';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('projectlead digest, metrics, postmortem', () => {
  it('when asked for a dry run, then the digest is printed and nothing is claimed', async () => {
    const env = { DATABASE_URL: tempDbPath('cli') };
    const out = capture();
    const err = capture();
    expect(
      await main(['digest', '--dry-run', 'weekly'], { env, stdout: out.stream, stderr: err.stream }),
    ).toBe(0);
    expect(out.text()).toMatch(/^# Weekly digest, \d{4}-W\d{2}/);
    expect(out.text()).toContain('## MTTR (detect → service restored), last 7 days');
    const again = capture();
    expect(
      await main(['digest', '--dry-run', 'weekly'], { env, stdout: again.stream, stderr: err.stream }),
    ).toBe(0);
    expect(again.text()).toContain('## Shipped since');
    expect(await main(['digest', 'daily'], { env, stdout: out.stream, stderr: err.stream })).toBe(2);
  });

  it('metrics --json prints JSON alone; postmortem of an unknown run fails with one line', async () => {
    const env = { DATABASE_URL: tempDbPath('cli2') };
    const out = capture();
    const err = capture();
    expect(await main(['metrics', '--json'], { env, stdout: out.stream, stderr: err.stream })).toBe(0);
    const report = JSON.parse(out.text());
    expect(report.chains.map((c: { chain: string }) => c.chain)).toContain('incident');
    expect(report.mttr.map((m: { severity: string }) => m.severity)).toEqual(['sev1', 'sev2']);
    expect(await main(['postmortem', 'INC-9'], { env, stdout: out.stream, stderr: err.stream })).toBe(1);
    expect(err.text()).toBe('projectlead: There is no run INC-9.\n');
  });
});
