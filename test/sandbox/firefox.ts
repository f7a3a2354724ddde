// Firefox driven over WebDriver BiDi (Firefox's own remote protocol) with nothing but a
// WebSocket: playwright-core's Firefox needs a patched build, and its BiDi mode asks for
// commands Debian's Firefox ESR does not have. Enough for a test: open a page, evaluate script
// in it, wait for a condition, take a screenshot.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const hasFirefox = existsSync(FIREFOX);

export interface FirefoxPage {
  goto(url: string): Promise<void>;
  /** Evaluates the expression in the page (awaiting a promise) and returns its JSON value. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Resolves once the expression is truthy in the page; checked after each protocol round trip. */
  waitFor(expression: string, what: string, attempts?: number): Promise<void>;
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

export async function launchFirefox(): Promise<FirefoxPage> {
  const profile = mkdtempSync(join(tmpdir(), 'projectlead-firefox-'));
  const child: ChildProcess = spawn(FIREFOX, [
    '--headless',
    '--remote-debugging-port=0',
    '--no-remote',
    '--profile',
    profile,
    '--window-size=1300,800',
  ]);
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += String(chunk);
      const m = /WebDriver BiDi listening on (\S+)/.exec(seen);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`Firefox exited (${code}) before listening: ${seen}`)));
  });
  const ws = new WebSocket(`${endpoint}/session`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 0;
  const pending = new Map<
    number,
    (message: { result?: unknown; error?: string; message?: string }) => void
  >();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: string };
    if (message.id !== undefined) pending.get(message.id)?.(message);
  });
  const send = async <T>(method: string, params: Record<string, unknown>): Promise<T> => {
    nextId += 1;
    const id = nextId;
    const answer = await new Promise<{ result?: unknown; error?: string; message?: string }>((resolve) => {
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
    pending.delete(id);
    if (answer.error) throw new Error(`Firefox ${method}: ${answer.error} ${answer.message ?? ''}`);
    return answer.result as T;
  };
  await send('session.new', { capabilities: {} });
  const tree = await send<{ contexts: { context: string }[] }>('browsingContext.getTree', {});
  const context = tree.contexts[0]!.context;
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await send<{ type: string; result?: unknown; exceptionDetails?: { text: string } }>(
      'script.evaluate',
      {
        expression: `(async () => JSON.stringify(await (async () => (${expression}))()))()`,
        target: { context },
        awaitPromise: true,
      },
    );
    if (r.type === 'exception') throw new Error(`in Firefox: ${r.exceptionDetails?.text}`);
    const value = (r.result as { value?: string }).value;
    return (value === undefined ? undefined : JSON.parse(value)) as T;
  };
  return {
    async goto(url) {
      await send('browsingContext.navigate', { context, url, wait: 'complete' });
    },
    evaluate,
    async waitFor(expression, what, attempts = 400) {
      for (let i = 0; i < attempts; i++) {
        if (await evaluate<boolean>(`Boolean(${expression})`)) return;
        // One animation frame in the page between checks: no wall-clock sleep in the test.
        await evaluate('new Promise((r) => requestAnimationFrame(() => r(true)))');
      }
      throw new Error(`Firefox: ${what} did not happen`);
    },
    async screenshot() {
      const r = await send<{ data: string }>('browsingContext.captureScreenshot', { context });
      return Buffer.from(r.data, 'base64');
    },
    async close() {
      await send('session.end', {}).catch(() => undefined);
      ws.close();
      child.kill();
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
