import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { classifyCommand } from '../../../src/cli/commands/classify.ts';

async function run(args: string[], stdin = '', corrections = [] as Parameters<typeof classifyCommand>[2]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const code = await classifyCommand(args, { stdin: Readable.from([stdin]), stdout, stderr }, corrections);
  return { code, out, err };
}

describe('projectlead classify', () => {
  it('when given text, then it prints the chain, confidence and flags for people', async () => {
    const { code, out } = await run(['Let', 'customers', 'pay', 'with', 'Apple', 'Pay', 'at', 'checkout']);
    expect(code).toBe(0);
    expect(out).toMatch(/chain:\s+New Feature \(feature\)/);
    expect(out).toMatch(/confidence:\s+\d+%/);
    expect(out).toMatch(/flags:\s+.*payments/);
  });

  it('when given --json, then it prints JSON alone', async () => {
    const { code, out } = await run(['--json', 'The whole site is down for everyone']);
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed).toMatchObject({ chain: 'incident', ask: false, severity: 'sev1' });
    expect(parsed.confidence).toBeGreaterThan(0);
  });

  it('when given no text, then it exits 2 with usage', async () => {
    const { code, err } = await run([]);
    expect(code).toBe(2);
    expect(err).toMatch(/usage/);
  });

  it('when given an unknown option, then it exits 2 naming it', async () => {
    const { code, err } = await run(['--nope', 'x']);
    expect(code).toBe(2);
    expect(err).toMatch(/--nope/);
  });

  it('when corrections are passed, then a similar request follows them', async () => {
    const { out } = await run(['--json', 'login is slow'], '', [{ text: 'Login is slow', chain: 'bug' }]);
    expect(JSON.parse(out)).toMatchObject({ chain: 'bug', ask: false, correctedBy: 'Login is slow' });
  });
});

describe('projectlead classify --jsonl', () => {
  it('when given JSON lines, then it writes one line per input, in order, bad lines as errors', async () => {
    const input = [
      '{"text": "Audit this: who has access to production?"}',
      'not json',
      '{"text": "Prepare release 3.1.0"}',
      '',
      '{"nope": 1}',
      '{"text": ""}',
      '{"id": 7, "text": "[FIRING:1] HighErrorRate api"}',
    ].join('\n');
    const { code, out } = await run(['--jsonl'], input);
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatchObject({ chain: 'compliance', ask: false });
    expect(lines[0]).toHaveProperty('flags');
    expect(lines[0]).toHaveProperty('severity');
    expect(lines[0]).toHaveProperty('projects');
    expect(lines[0]).toHaveProperty('runnerUp');
    expect(lines[1]).toMatchObject({ line: 2, error: 'not valid JSON' });
    expect(lines[2]).toMatchObject({ chain: 'release' });
    expect(lines[3].error).toMatch(/text/);
    expect(lines[4]).toMatchObject({ chain: null, error: 'empty', ask: true });
    expect(lines[5]).toMatchObject({ id: 7, chain: 'incident' });
  });
});
