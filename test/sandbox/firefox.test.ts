// The sandbox's page in Firefox (Debian's firefox-esr, when installed): the same page script
// and renderer as in Chromium start a run from the composer, open the thread, act as the
// owner, fill the modal and submit it, then move the clock to the daily digest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { startTestSandbox } from './browser.ts';
import { type FirefoxPage, hasFirefox, launchFirefox } from './firefox.ts';

describe.skipIf(!hasFirefox)('the sandbox in Firefox (runs when firefox-esr is installed)', () => {
  let sandbox: Sandbox;
  let page: FirefoxPage;
  beforeAll(async () => {
    sandbox = await startTestSandbox('sandbox-firefox');
    page = await launchFirefox();
    await page.goto(sandbox.url);
  }, 60_000);
  afterAll(async () => {
    await page?.close();
    await sandbox?.close();
  });

  it('starts a run, completes its first step through the modal, and shows the digest a day later', async () => {
    await page.waitFor(`document.querySelectorAll('#act-as option').length > 5`, 'the people in Act as');
    await page.evaluate(`(() => {
      const box = document.getElementById('message');
      box.value = '/lead feature Export invoices as CSV from the web app';
      box.closest('form').requestSubmit();
      return true;
    })()`);
    await page.waitFor(`document.querySelector('#messages .replies')`, 'the run root message');
    await page.evaluate(`(() => {
      document.querySelector('#messages .replies').click();
      const who = document.getElementById('act-as');
      who.value = 'UGHABS';
      who.dispatchEvent(new Event('change'));
      return true;
    })()`);
    const done = `[...document.querySelectorAll('#thread-messages button.bk-button')].find((b) => b.textContent.startsWith('Done'))`;
    await page.waitFor(done, 'the Done button in the thread');
    await page.evaluate(`${done}.click()`);
    await page.waitFor(`document.getElementById('modal').open`, 'the modal');
    expect(await page.evaluate(`document.getElementById('modal-submit').textContent`)).toBe('Done');
    expect(await page.evaluate(`document.querySelector('#modal-body label').textContent`)).toContain(
      'Output',
    );
    await page.evaluate(`(() => {
      document.querySelector('#modal-body textarea').value = 'The brief';
      for (const g of document.querySelectorAll('#modal-body [role=radiogroup]')) g.querySelector('input').checked = true;
      document.getElementById('modal-submit').click();
      return true;
    })()`);
    await page.waitFor(`!document.getElementById('modal').open`, 'the modal closing');
    await page.waitFor(
      `document.getElementById('thread-messages').textContent.includes('done by')`,
      'the step recorded',
    );
    await page.evaluate(`document.getElementById('day').click()`);
    await page.evaluate(
      `[...document.querySelectorAll('.nav')].find((b) => b.textContent.includes('algo-sync')).click()`,
    );
    await page.waitFor(`/digest/i.test(document.getElementById('messages').textContent)`, 'the daily digest');
    expect((await page.screenshot()).length).toBeGreaterThan(1000);
  }, 60_000);
});
