// Debian's Chromium driven by playwright-core, for the sandbox's browser tests: headless, no
// network beyond 127.0.0.1, a fresh profile each time. A missing Chromium fails the test with
// what to install (`.ci/run` installs it). And the sandbox the tests start.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { type Sandbox, SandboxClock, startSandbox } from '../../src/sandbox/sandbox.ts';
import { tempDbPath } from '../support/engine.ts';

/** A sandbox on its own database and any free port, its clock from Monday 2 November 2026, 10:00 UTC. */
export function startTestSandbox(name: string, dbPath = tempDbPath(name)): Promise<Sandbox> {
  return startSandbox({
    env: { DATABASE_URL: dbPath, PORT: '0' },
    clock: new SandboxClock(Date.UTC(2026, 10, 2, 10, 0, 0)),
  });
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the sandbox's browser tests need it (apt-get install -y chromium).`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'projectlead-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 860 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
