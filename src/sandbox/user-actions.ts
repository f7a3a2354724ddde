// What a person does in the sandbox's page, played to the bot as Slack would: the composer
// (`/lead …` as a slash command, other text as a message, with an `app_mention` event when it
// mentions @ProjectLead), buttons and selects (block_actions), modal submissions and closes,
// message shortcuts and opening App Home. Every request is signed and shaped by the stand-in's
// driver. Slack's client side is kept here too: which modal each person has open, and the field
// errors the bot answered a submission with.
import type { SlackDriver } from '../slack-standin/driver.ts';
import type { FakeSlack, FakeView, Json } from '../slack-standin/fake-slack.ts';
import { CHANNELS, type SandboxPerson } from './workspace.ts';

export const BOT_NAME = 'ProjectLead';

/** Refused input from the page: said to the person, nothing changed. */
export class SandboxInputError extends Error {}

export type ActionContainer =
  | { kind: 'message'; channel: string; ts: string }
  | { kind: 'ephemeral'; channel: string; ts: string; threadTs?: string | undefined }
  | { kind: 'view'; viewId: string };

export interface PressInput {
  user: string;
  container: ActionContainer;
  actionId: string;
  blockId?: string | undefined;
  value?: string | undefined;
  selectedOption?: string | undefined;
}

export interface UserActionsDeps {
  standin: FakeSlack;
  driver: SlackDriver;
  people: readonly SandboxPerson[];
  /** Something only the page sees changed (a modal closed, field errors): tell the pages. */
  changed: () => void;
}

export function createUserActions({ standin, driver, people, changed }: UserActionsDeps) {
  const closed = new Set<string>();
  const fieldErrors = new Map<string, Record<string, string>>();
  const byId = new Map(people.map((p) => [p.id, p]));
  const byName = new Map(people.map((p) => [p.name.toLowerCase(), p]));

  const person = (id: string): SandboxPerson => {
    const found = byId.get(id);
    if (!found) throw new SandboxInputError(`No one in the sandbox has the id ${id}.`);
    return found;
  };
  /** A channel of the workspace, or the person's own DM with the bot. */
  const channel = (id: string, who: SandboxPerson): string => {
    const known = CHANNELS.some((c) => c.id === id) || standin.dmChannel(who.id) === id;
    if (!known) throw new SandboxInputError(`There is no channel ${id}.`);
    return id;
  };

  /** Who `@name` names: the bot (@ProjectLead) or a person of the sandbox; null for no one. */
  const mentioned = (name: string): { id: string; name: string } | null => {
    const lower = name.toLowerCase();
    if (lower === BOT_NAME.toLowerCase()) return { id: standin.botUserId, name: lower };
    const p = byName.get(lower);
    return p ? { id: p.id, name: p.name.toLowerCase() } : null;
  };
  /** `@Name` not already inside a `<@…>`: what the composer turns into a mention. */
  const MENTION = /(?<![<\w])@([A-Za-z][A-Za-z0-9]*)/g;

  /**
   * A slash command's text as Slack sends it for a command with `should_escape` (manifest.yml):
   * `@Name` as `<@U…|name>`, `#channel` as `<#C…|channel>`.
   */
  function escapedAsSlack(text: string): string {
    return text
      .replace(MENTION, (whole, name: string) => {
        const who = mentioned(name);
        return who ? `<@${who.id}|${who.name}>` : whole;
      })
      .replace(/(?<![<\w])#([a-z0-9][a-z0-9_-]*)/g, (whole, name: string) => {
        const c = CHANNELS.find((x) => x.name === name);
        return c ? `<#${c.id}|${c.name}>` : whole;
      });
  }

  /**
   * `@Name` as Slack's composer writes it (`<@U…>`); @ProjectLead is the bot. A mention already
   * written that way (an agent posting as Slack's API would) is kept, and mentions the bot too.
   */
  function withMentions(text: string): { text: string; mentionsBot: boolean; blocks: Json[] } {
    const elements: Json[] = [];
    const out = text.replace(MENTION, (whole, name: string) => {
      const who = mentioned(name);
      return who ? `<@${who.id}>` : whole;
    });
    const mentionsBot = out.includes(`<@${standin.botUserId}>`);
    // The rich_text block Slack's composer sends beside the text.
    const re = /<@([UW][A-Z0-9]+)>/g;
    let last = 0;
    for (const m of out.matchAll(re)) {
      if (m.index > last) elements.push({ type: 'text', text: out.slice(last, m.index) });
      elements.push({ type: 'user', user_id: m[1] });
      last = m.index + m[0].length;
    }
    if (last < out.length) elements.push({ type: 'text', text: out.slice(last) });
    const blocks = [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements }] }];
    return { text: out, mentionsBot, blocks };
  }

  async function expectAck(res: { status: number; body: string }, what: string): Promise<void> {
    if (res.status !== 200) throw new Error(`the bot answered ${what} with HTTP ${res.status}: ${res.body}`);
  }

  return {
    /** The modal the person has open (the newest one opened for them and not closed), if any. */
    openModal(user: string): { view: FakeView; errors: Record<string, string> } | undefined {
      const view = standin.views
        .filter((v) => v.type === 'modal' && v.user === user && !closed.has(v.id))
        .at(-1);
      return view ? { view, errors: fieldErrors.get(view.id) ?? {} } : undefined;
    },

    /** The composer: `/lead …` is the slash command; anything else is a message in the channel (or thread). */
    async compose(input: { user: string; channel: string; text: string; threadTs?: string | undefined }) {
      const who = person(input.user);
      const where = channel(input.channel, who);
      const text = input.text.trim();
      if (text === '') throw new SandboxInputError('Write something first.');
      if (text.startsWith('/')) {
        const [command = '', ...words] = text.split(/\s+/);
        if (command !== '/lead')
          throw new SandboxInputError(`${command} is not a command here; try /lead help.`);
        const res = await driver.slashCommand({
          command,
          text: escapedAsSlack(words.join(' ')),
          userId: who.id,
          userName: who.name.toLowerCase(),
          channelId: where,
        });
        await expectAck(res, 'the command');
        return;
      }
      const written = withMentions(text);
      const message = standin.addMessage({
        channel: where,
        user: who.id,
        text: written.text,
        blocks: written.blocks,
        ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
      });
      if (!written.mentionsBot) return;
      const res = await driver.event({
        type: 'app_mention',
        user: who.id,
        text: written.text,
        blocks: written.blocks,
        channel: where,
        ts: message.ts,
        ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
      });
      await expectAck(res, 'the mention');
    },

    /** A button, overflow or select pressed in a message, an ephemeral message or a view. */
    async press(input: PressInput) {
      const who = person(input.user);
      const c = input.container;
      const common = {
        userId: who.id,
        actionId: input.actionId,
        ...(input.blockId ? { blockId: input.blockId } : {}),
        ...(input.value !== undefined ? { value: input.value } : {}),
        ...(input.selectedOption !== undefined ? { selectedOption: input.selectedOption } : {}),
      };
      if (c.kind === 'view') {
        const view = standin.view(c.viewId);
        if (!view || view.user !== who.id) throw new SandboxInputError('That view is not open for you.');
        await expectAck(
          await driver.blockAction({ ...common, container: { viewId: c.viewId } }),
          'the button',
        );
        return;
      }
      const ephemeral = c.kind === 'ephemeral';
      if (!ephemeral && !standin.message(c.channel, c.ts))
        throw new SandboxInputError('That message is gone.');
      const res = await driver.blockAction({
        ...common,
        container: ephemeral ? 'ephemeral' : 'message',
        channelId: c.channel,
        messageTs: c.ts,
        ...(ephemeral && c.threadTs ? { threadTs: c.threadTs } : {}),
      });
      await expectAck(res, 'the button');
    },

    /** A modal submitted with Slack's `state.values`; the bot's field errors are kept for the page. */
    async submit(input: { user: string; viewId: string; values: Record<string, Record<string, Json>> }) {
      const who = person(input.user);
      const open = this.openModal(who.id);
      if (!open || open.view.id !== input.viewId)
        throw new SandboxInputError('That form is not open for you.');
      const res = await driver.viewSubmission({ userId: who.id, viewId: input.viewId, values: input.values });
      await expectAck(res, 'the form');
      const answer = res.json as { response_action?: string; errors?: Record<string, string> } | undefined;
      if (answer?.response_action === 'errors' && answer.errors) {
        fieldErrors.set(input.viewId, answer.errors);
      } else {
        fieldErrors.delete(input.viewId);
        closed.add(input.viewId);
        if (answer?.response_action === 'clear') {
          for (const v of standin.views) if (v.user === who.id) closed.add(v.id);
        }
      }
      changed();
      return { errors: fieldErrors.get(input.viewId) ?? null };
    },

    async close(input: { user: string; viewId: string }) {
      const who = person(input.user);
      const open = this.openModal(who.id);
      if (!open || open.view.id !== input.viewId)
        throw new SandboxInputError('That form is not open for you.');
      closed.add(input.viewId);
      fieldErrors.delete(input.viewId);
      if (open.view.view.notify_on_close === true) {
        await expectAck(
          await driver.viewClosed({ userId: who.id, viewId: input.viewId }),
          'closing the form',
        );
      }
      changed();
    },

    /** A message shortcut (Declare incident) on a message. */
    async shortcut(input: { user: string; callbackId: string; channel: string; ts: string }) {
      const who = person(input.user);
      const message = standin.message(input.channel, input.ts);
      if (!message || message.deleted) throw new SandboxInputError('That message is gone.');
      const res = await driver.messageShortcut({
        callbackId: input.callbackId,
        userId: who.id,
        channelId: input.channel,
        message: {
          ts: message.ts,
          text: message.text ?? '',
          user: message.user,
          ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
        },
      });
      await expectAck(res, 'the shortcut');
    },

    /** Opening the app's Home tab: the bot publishes the person's home. */
    async openHome(user: string) {
      const who = person(user);
      await expectAck(await driver.appHomeOpened(who.id), 'App Home');
    },
  };
}

export type UserActions = ReturnType<typeof createUserActions>;
