// Start and stop: Slack unreachable at start is logged, never fatal; /healthz answers once ready
// and stops answering 200 when the bot stops.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { loadBotConfig } from '../../src/config.ts';
import { createCore } from '../../src/core.ts';
import type { Logger } from '../../src/logger.ts';
import { tempDbPath } from '../support/engine.ts';

function recordingLogger() {
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => {
    lines.push(`${level} ${msg}`);
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe.each([
  ['HTTP mode', {}],
  ['Socket Mode', { SLACK_APP_TOKEN: 'xapp-1-unreachable' }],
])('%s with Slack unreachable', (_mode, extra) => {
  it('when the bot starts, then it is up and healthy, says Slack is unreachable, and stops cleanly', async () => {
    const config = loadBotConfig({
      SLACK_BOT_TOKEN: 'xoxb-unreachable',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: 'http://127.0.0.1:1/api',
      DATABASE_URL: tempDbPath('lifecycle'),
      PORT: '0',
      ...extra,
    });
    const core = await createCore(config);
    const { logger, lines } = recordingLogger();
    const bot = createApp({ config, core, logger, shutdownTimeoutMs: 1000 });
    await bot.start();
    const health = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
    expect(health.status).toBe(200);
    await expect
      .poll(() => lines.some((l) => l.startsWith('warn') && /unreachable|cannot reach/i.test(l)), {
        timeout: 3000,
      })
      .toBe(true);
    const port = bot.port;
    await bot.stop();
    await core.close();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
