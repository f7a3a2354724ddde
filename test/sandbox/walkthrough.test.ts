// The sandbox in Chromium, as one person playing every role: the Requester starts a New
// Feature from the composer, each owner presses Done and fills the form until the run is done;
// an incident is declared from a message with the shortcut; the clock moves a day and the
// reminder and the daily digest appear. A screenshot of the run in progress is taken
// (SANDBOX_SCREENSHOT=docs/sandbox.png refreshes the README's).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/types.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { personFor } from '../../src/sandbox/workspace.ts';
import { encodeStepRef } from '../../src/slack/ids.ts';
import { launchChromium, startTestSandbox } from './browser.ts';

const SCREENSHOT =
  process.env.SANDBOX_SCREENSHOT ?? join(mkdtempSync(join(tmpdir(), 'sandbox-shot-')), 'sandbox.png');

let sandbox: Sandbox;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  sandbox = await startTestSandbox('sandbox');
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(sandbox.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

const actAs = (name: string) =>
  page.getByRole('combobox', { name: 'Act as', exact: true }).selectOption({ label: name });

/** The page's controls as the accessibility tree has them: none may be without a name. */
async function expectEveryControlNamed() {
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = tree
    .split('\n')
    .filter((line) =>
      /^\s*- (button|combobox|listbox|textbox|radio|checkbox|menuitem|tab|link)(\s*\[[^\]]*\])?:?\s*$/.test(
        line,
      ),
    );
  expect(unnamed, tree).toEqual([]);
}
const composer = () => page.getByRole('textbox', { name: 'Message', exact: true });
const channel = (name: string) =>
  page.getByRole('navigation', { name: 'Channels' }).getByRole('button', { name: `# ${name}` });
const thread = () => page.getByRole('complementary');
const dialog = () => page.getByRole('dialog');

async function send(text: string) {
  await composer().fill(text);
  await composer().press('Enter');
}

/** Fill every field of the open form the way a person would: text, the first choice, and "web" for projects. */
async function fillForm(form: Locator, what: string) {
  for (const box of await form.getByRole('textbox').all()) {
    if ((await box.inputValue()) === '') await box.fill(`${what}: done and written down`);
  }
  for (const select of await form.locator('select').all()) {
    const multiple = await select.evaluate((s) => (s as HTMLSelectElement).multiple);
    const values = await select
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    if (
      (await select.evaluate((s) => (s as HTMLSelectElement).selectedOptions.length)) > 0 &&
      (await select.inputValue()) !== ''
    )
      continue;
    await select.selectOption(multiple ? [values.includes('web') ? 'web' : values[0]!] : values[0]!);
  }
  for (const group of await form.getByRole('radiogroup').all()) {
    if ((await group.getByRole('radio', { checked: true }).count()) === 0)
      await group.getByRole('radio').last().check();
  }
}

const latestRun = async (): Promise<Run> =>
  (await sandbox.core.store.read.runs.list({ newestFirst: true, limit: 1 }))[0]!;

describe('the sandbox in a browser', () => {
  it('walks a New Feature to done, one owner after another, pressing Done and filling the forms', async () => {
    await actAs('Requester');
    await channel('product').click();
    await send('/lead feature Export invoices as CSV from the web app');
    const root = page.getByRole('article').filter({ hasText: 'Export invoices as CSV' }).first();
    await root.getByRole('button', { name: /replies?$/ }).click();
    const run = await latestRun();
    expect(run.chain).toBe('feature');

    let screenshotTaken = false;
    for (let turn = 0; turn < 40; turn++) {
      const now = await sandbox.core.runs.getRun(run.id);
      if (now.status === 'done') break;
      const step = now.steps.find((s) => s.status === 'active');
      expect(step, `an open step of ${run.id}`).toBeDefined();
      const role =
        [...step!.owners, ...step!.approvers].find((r) => step!.deliveries[r] === undefined) ??
        step!.owners[0]!;
      const person = sandbox.people.find((p) => p.id === personFor(role))!;
      await actAs(person.name);
      const ref = encodeStepRef(run.id, step!.key);
      const done = thread().locator(`button[data-value="${ref}"]`, { hasText: 'Done' }).last();
      if (!screenshotTaken && step!.idx >= 3) {
        // A run in progress: its root message in the channel, its thread with the handoffs so far.
        await done.waitFor();
        await page.screenshot({ path: SCREENSHOT });
        screenshotTaken = true;
        await expectEveryControlNamed();
      }
      await done.click();
      await dialog().waitFor();
      await fillForm(dialog(), step!.title);
      if (step!.idx === 2) await expectEveryControlNamed();
      await dialog().locator('button[type="submit"]').click();
      await dialog().waitFor({ state: 'hidden' });
    }
    expect((await sandbox.core.runs.getRun(run.id)).status).toBe('done');
    expect(screenshotTaken).toBe(true);
    await channel('product').click();
    await root.getByText(/done/i).first().waitFor();
  }, 180_000);

  it('declares an incident from a message with the shortcut', async () => {
    await actAs('Requester');
    await channel('incidents').click();
    await send('Checkout answers 500 for every customer since 10:02');
    const message = page
      .getByRole('article', { name: /^Requester/ })
      .filter({ hasText: 'Checkout answers 500' });
    await message.getByRole('button', { name: 'More actions' }).click();
    await message.getByRole('menuitem', { name: 'Declare incident' }).click();
    await dialog().waitFor();
    expect(await dialog().getByRole('heading').first().textContent()).toMatch(/incident/i);
    await fillForm(dialog(), 'Incident');
    await dialog().locator('button[type="submit"]').click();
    await dialog().waitFor({ state: 'hidden' });
    await page
      .getByRole('article', { name: /^ProjectLead/ })
      .filter({ hasText: 'Incident Response' })
      .first()
      .waitFor();
    expect((await latestRun()).chain).toBe('incident');
  }, 60_000);

  it('moves the clock a day: the reminder comes, and the daily digest is in #algo-sync', async () => {
    const incident = page
      .getByRole('article', { name: /^ProjectLead/ })
      .filter({ hasText: 'Incident Response' })
      .first();
    await incident.getByRole('button', { name: /replies?$/ }).click();
    await page.getByRole('button', { name: 'Forward 1 day' }).click();
    await thread()
      .getByText(/Reminder/)
      .first()
      .waitFor();
    await channel('algo-sync').click();
    await page
      .getByRole('log')
      .first()
      .getByText(/digest/i)
      .first()
      .waitFor();
  }, 60_000);

  it('shows App Home: what waits on the person and the open runs', async () => {
    const run = await latestRun();
    const owner = run.steps.find((s) => s.status === 'active')!.owners[0]!;
    await actAs(sandbox.people.find((p) => p.id === personFor(owner))!.name);
    await page
      .getByRole('navigation', { name: 'Channels' })
      .getByRole('button', { name: 'ProjectLead' })
      .click();
    const home = page.getByRole('tabpanel', { name: 'Home' });
    await home.getByRole('heading', { name: 'Open runs' }).waitFor();
    await home.getByText(run.id).first().waitFor();
    expect(await home.getByRole('heading', { name: 'Waiting on you' }).count()).toBe(1);
  }, 60_000);
});
