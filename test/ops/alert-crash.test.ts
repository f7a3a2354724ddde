// A bot killed right after it answered 202 to an alert still opens the run: the alert and its
// run were stored before the answer, and the run's messages wait in the outbox for the next
// start. The bot runs as a real process; SIGKILL gives it no chance to finish anything.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.ts';
import { fixture } from '../alerts/fixtures.ts';
import { cli } from '../support/cli.ts';
import { tempDbPath } from '../support/engine.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { REPO_DIR, type Spawned, spawnProcess, TSX_LOADER } from '../support/spawned.ts';

let fake: FakeSlack;
const bots: Spawned[] = [];
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
  await fake.close();
});

function startBot(env: Record<string, string>) {
  const bot = spawnProcess(process.execPath, ['--import', TSX_LOADER, 'src/main.ts'], { cwd: REPO_DIR, env });
  bots.push(bot);
  return bot;
}

async function port(bot: Spawned): Promise<number> {
  const line = await bot.line(/ProjectLead is listening/, 'the listening line');
  return (JSON.parse(line.slice(line.indexOf('{'))) as { port: number }).port;
}

it('when the bot is killed right after its 202, then the incident still opens, once, after the restart', async () => {
  const base: Record<string, string> = Object.fromEntries(CONFIG_VARIABLES.map((v) => [v, '']));
  const env = {
    ...base,
    SLACK_BOT_TOKEN: 'xoxb-crash',
    SLACK_SIGNING_SECRET: 'crash-secret',
    DATABASE_URL: tempDbPath('alert-crash'),
    INCIDENT_CHANNEL: 'CINCIDENTS',
    PORT: '0',
    LOG_LEVEL: 'info',
  };
  const made = await cli(['tokens', 'create', 'monitoring', '--alerts', '--json'], env);
  expect(made.code).toBe(0);
  const token = (JSON.parse(made.out) as { token: string }).token;

  // First life: Slack unreachable, so nothing of the run can leave before the kill.
  const first = startBot({ ...env, SLACK_API_URL: 'http://127.0.0.1:9/api/' });
  const res = await fetch(`http://127.0.0.1:${await port(first)}/api/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(fixture('alertmanager-firing')),
  });
  first.child.kill('SIGKILL');
  expect(res.status).toBe(202);
  const runId = ((await res.json()) as { accepted: { run_id: string }[] }).accepted[0]!.run_id;
  expect((await first.exited).signal).toBe('SIGKILL');
  expect(fake.messages('CINCIDENTS')).toEqual([]);

  // Second life, Slack reachable: the run's root message and its handoff are posted, once.
  const second = startBot({ ...env, SLACK_API_URL: fake.apiUrl });
  await port(second);
  await fake.waitFor((f) => f.messages('CINCIDENTS').some((m) => m.text?.includes('Assess Severity')), {
    what: 'the handoff of Assess Severity',
  });
  const roots = fake.messages('CINCIDENTS').filter((m) => !m.thread_ts);
  expect(roots).toHaveLength(1);
  expect(roots[0]!.text).toContain(runId);
  second.child.kill('SIGTERM');
  await second.exited;
});
