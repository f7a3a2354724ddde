// Configuration: the environment over a `.env` file (dotenv), and `.env.example` listing exactly
// the variables the bot reads, each with its default.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadBotConfig, readEnvironment } from '../src/config.ts';
import { tempDbPath } from './support/engine.ts';
import { REPO_DIR, type Spawned, spawnProcess, TSX_LOADER } from './support/spawned.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'projectlead-env-'));

function dotenvIn(dir: string, text: string): string {
  const file = join(dir, '.env');
  writeFileSync(file, text);
  return file;
}

describe('readEnvironment', () => {
  it('when a .env file is there, then its variables are read, quotes and comments as dotenv reads them', () => {
    const file = dotenvIn(
      tempDir(),
      [
        '# a comment',
        'SLACK_BOT_TOKEN=xoxb-from-file',
        'DIGEST_DAILY_CRON="0 8 * * 1-5"   # inline comment',
        "ADMIN_USER_IDS='U1,U2'",
        'export LOG_LEVEL=debug',
      ].join('\n'),
    );
    const env = readEnvironment({ env: {}, file });
    expect(env).toMatchObject({
      SLACK_BOT_TOKEN: 'xoxb-from-file',
      DIGEST_DAILY_CRON: '0 8 * * 1-5',
      ADMIN_USER_IDS: 'U1,U2',
      LOG_LEVEL: 'debug',
    });
  });

  it('when a variable is set in the environment too, then the environment wins, even set empty', () => {
    const file = dotenvIn(tempDir(), 'PORT=4000\nDIGEST_CHANNEL=CFILE\nLOG_LEVEL=debug\n');
    const env = readEnvironment({ env: { PORT: '5000', DIGEST_CHANNEL: '' }, file });
    expect(env).toMatchObject({ PORT: '5000', DIGEST_CHANNEL: '', LOG_LEVEL: 'debug' });
    const config = loadBotConfig({ ...env, SLACK_BOT_TOKEN: 'xoxb-x', SLACK_SIGNING_SECRET: 's' });
    expect(config.PORT).toBe(5000);
    expect(config.DIGEST_CHANNEL).toBeUndefined();
  });

  it('when there is no .env file, then the environment alone is read', () => {
    expect(readEnvironment({ env: { PORT: '1' }, file: join(tempDir(), '.env') })).toEqual({ PORT: '1' });
  });
});

describe('.env.example', () => {
  const example = parse(readFileSync(join(REPO_DIR, '.env.example'), 'utf8'));

  it('lists exactly the variables the configuration reads', () => {
    expect(Object.keys(example).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('gives each variable its default (an empty value: no default, or a required one)', () => {
    const required = { SLACK_BOT_TOKEN: 'xoxb-x', SLACK_SIGNING_SECRET: 's' };
    expect(loadBotConfig({ ...example, ...required })).toEqual(loadBotConfig(required));
    const withValue = Object.entries(example).filter(([, v]) => v !== '');
    // Each value written is the default, not something that happens to parse the same.
    for (const [name] of withValue) {
      expect(String((loadBotConfig(required) as Record<string, unknown>)[name]), name).toBe(example[name]);
    }
  });
});

describe('the bot at start', () => {
  let bot: Spawned | undefined;
  afterEach(async () => {
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
    bot = undefined;
  });

  const startIn = (cwd: string, env: Record<string, string> = {}) =>
    spawnProcess(process.execPath, ['--import', TSX_LOADER, join(REPO_DIR, 'src/main.ts')], { cwd, env });

  it('when the working directory has a .env file, then the bot starts with its settings; the environment wins', async () => {
    const cwd = tempDir();
    const dbPath = tempDbPath('dotenv');
    dotenvIn(
      cwd,
      [
        'SLACK_BOT_TOKEN=xoxb-dotenv',
        'SLACK_SIGNING_SECRET=from-the-file',
        `DATABASE_URL=${dbPath}`,
        'PORT=1',
        // Nothing listens there: the bot logs it and starts anyway.
        'SLACK_API_URL=http://127.0.0.1:9/api/',
      ].join('\n'),
    );
    bot = startIn(cwd, { PORT: '0' });
    const listening = await bot.line(/ProjectLead is listening/);
    const fields = JSON.parse(listening.slice(listening.indexOf('{')));
    expect(fields).toMatchObject({ database: dbPath });
    expect(fields.port).not.toBe(1);
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });

  it('when the .env file has a malformed value, then the bot stops at once with exit code 1 and one line naming it', async () => {
    const cwd = tempDir();
    dotenvIn(cwd, 'SLACK_BOT_TOKEN=xoxb-dotenv\nSLACK_SIGNING_SECRET=s\nPORT=not-a-port\n');
    bot = startIn(cwd);
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.lines.filter(Boolean)).toEqual([
      expect.stringMatching(/^projectlead: PORT: must be a port number/),
    ]);
  });
});
