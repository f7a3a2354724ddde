// `projectlead tokens …` and `projectlead webhooks …`: a token is printed once and only its hash
// is stored; list, revoke; a webhook subscription's secret is printed once.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/services/tokens.ts';
import { cli } from '../support/cli.ts';
import { tempDbPath } from '../support/engine.ts';

describe('projectlead tokens', () => {
  it('when a token is created, then it is printed once, only its hash is stored, it is listed, and revoked it is gone', async () => {
    const env = { DATABASE_URL: tempDbPath('tokens') };
    const made = await cli(['tokens', 'create', 'release-bot', '--as', 'U0RELBOT'], env);
    expect(made.code).toBe(0);
    const token = made.out.trim();
    expect(token).toMatch(/^pl_[A-Za-z0-9_-]{40,}$/);
    const db = readFileSync(env.DATABASE_URL).toString('latin1');
    expect(db).not.toContain(token);
    expect(db).toContain(hashToken(token));

    const listed = await cli(['tokens', 'list', '--json'], env);
    expect(JSON.parse(listed.out)).toEqual([
      {
        name: 'release-bot',
        user: 'U0RELBOT',
        kind: 'user',
        createdAt: expect.any(String),
        lastUsedAt: null,
      },
    ]);
    expect(listed.out).not.toContain(token);
    const twice = await cli(['tokens', 'create', 'release-bot', '--as', 'U0RELBOT'], env);
    expect(twice.code).toBe(1);
    expect(twice.err).toContain('exists');

    const alerts = await cli(['tokens', 'create', 'grafana', '--alerts', '--json'], env);
    expect(JSON.parse(alerts.out)).toMatchObject({ name: 'grafana', kind: 'alerts', user: null });
    expect((await cli(['tokens', 'revoke', 'release-bot'], env)).code).toBe(0);
    expect(
      JSON.parse((await cli(['tokens', 'list', '--json'], env)).out).map((t: { name: string }) => t.name),
    ).toEqual(['grafana']);
    expect((await cli(['tokens', 'revoke', 'release-bot'], env)).code).toBe(1);
    expect((await cli(['tokens', 'create', 'bad name!', '--as', 'U1'], env)).code).toBe(1);
    expect((await cli(['tokens', 'create', 'x', '--as', 'not-a-user'], env)).code).toBe(1);
    expect((await cli(['tokens', 'create', 'x'], env)).code).toBe(2);
  });
});

describe('projectlead webhooks', () => {
  it('when a subscription is added, then its secret is printed once; it is listed without it, and removed', async () => {
    const env = { DATABASE_URL: tempDbPath('webhooks') };
    const added = await cli(['webhooks', 'add', 'https://agent.example/hooks', '--as', 'U0AGENT'], env);
    expect(added.code).toBe(0);
    const [id, secret] = added.out.trim().split(' ');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    const all = await cli(
      ['webhooks', 'add', 'https://ops.example/all', '--all', '--owner', 'U0OPS', '--json'],
      env,
    );
    expect(JSON.parse(all.out)).toMatchObject({
      userId: null,
      owner: 'U0OPS',
      url: 'https://ops.example/all',
    });
    const listed = JSON.parse((await cli(['webhooks', 'list', '--json'], env)).out);
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({
      id: Number(id),
      url: 'https://agent.example/hooks',
      userId: 'U0AGENT',
      status: 'active',
    });
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    expect((await cli(['webhooks', 'add', 'ftp://x', '--all'], env)).code).toBe(1);
    expect((await cli(['webhooks', 'remove', id!], env)).code).toBe(0);
    expect(JSON.parse((await cli(['webhooks', 'list', '--json'], env)).out)).toHaveLength(1);
    expect((await cli(['webhooks', 'remove', id!], env)).code).toBe(1);
  });
});
