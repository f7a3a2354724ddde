// What the page shows one person: the people, the channels and their DM with the bot, every
// message (with its thread), the ephemerals meant for them alone, the modal they have open
// (with the bot's field errors) and their App Home. The page renders it; nothing is computed
// twice.
import { CALLBACK } from '../slack/ids.ts';
import type { FakeMessage, FakeSlack, Json } from '../slack-standin/fake-slack.ts';
import { BOT_NAME, SandboxInputError, type UserActions } from './user-actions.ts';
import { CHANNELS, type SandboxPerson } from './workspace.ts';

/** The app's message shortcuts (manifest.yml): offered on every message. */
export const MESSAGE_SHORTCUTS = [
  { callbackId: CALLBACK.declareIncident, name: 'Declare incident' },
] as const;

export interface PageMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  user: string;
  fromBot: boolean;
  text: string;
  blocks: Json[];
  edited: boolean;
}

export interface PageEphemeral {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: Json[];
}

export interface PageState {
  me: string;
  now: number;
  bot: { id: string; name: string };
  people: readonly SandboxPerson[];
  channels: { id: string; name: string; dm: boolean }[];
  messages: PageMessage[];
  ephemerals: PageEphemeral[];
  modal: {
    id: string;
    title: string;
    submit: string | null;
    close: string;
    blocks: Json[];
    errors: Record<string, string>;
    version: string;
  } | null;
  /** The person's App Home: the view the bot last published to them. */
  home: { id: string; blocks: Json[] } | null;
  shortcuts: typeof MESSAGE_SHORTCUTS;
}

const isTrue = (v: unknown) => v === true || v === 'true';

const textOf = (v: unknown, fallback: string): string =>
  typeof v === 'object' && v !== null && typeof (v as Json).text === 'string'
    ? String((v as Json).text)
    : fallback;

function pageMessage(m: FakeMessage): PageMessage {
  return {
    channel: m.channel,
    ts: m.ts,
    threadTs: m.thread_ts ?? null,
    user: m.user,
    fromBot: m.bot_id !== undefined,
    text: m.text ?? '',
    blocks: m.blocks ?? [],
    edited: m.history.length > 0,
  };
}

export function pageState(
  standin: FakeSlack,
  actions: UserActions,
  people: readonly SandboxPerson[],
  me: string,
  now: number,
): PageState {
  if (!people.some((p) => p.id === me))
    throw new SandboxInputError(`No one in the sandbox has the id ${me}.`);
  const dm = standin.dmChannel(me);
  const visible = new Set([...CHANNELS.map((c) => c.id), dm]);
  const open = actions.openModal(me);
  // An ephemeral message the bot replaced or deleted through its response_url is gone, as in
  // Slack (the stand-in keeps every post; the replacement is an ephemeral of its own).
  const replaced = new Set(
    standin.responses
      .filter((r) => r.context.userId === me && r.context.messageTs !== undefined)
      .filter((r) => isTrue(r.body.replace_original) || isTrue(r.body.delete_original))
      .map((r) => r.context.messageTs!),
  );
  const v = open?.view.view;
  return {
    me,
    now,
    bot: { id: standin.botUserId, name: BOT_NAME },
    people,
    channels: [
      ...CHANNELS.map((c) => ({ id: c.id, name: c.name, dm: false })),
      { id: dm, name: BOT_NAME, dm: true },
    ],
    messages: standin
      .messages()
      .filter((m) => visible.has(m.channel))
      .map(pageMessage),
    ephemerals: standin
      .ephemerals(me)
      .filter((e) => visible.has(e.channel) && !replaced.has(e.message_ts))
      .map((e) => ({
        channel: e.channel,
        ts: e.message_ts,
        threadTs: e.thread_ts ?? null,
        text: e.text ?? '',
        blocks: e.blocks ?? [],
      })),
    modal:
      open && v
        ? {
            id: open.view.id,
            title: textOf(v.title, 'Form'),
            submit: v.submit === undefined ? null : textOf(v.submit, 'Submit'),
            close: textOf(v.close, 'Cancel'),
            blocks: Array.isArray(v.blocks) ? (v.blocks as Json[]) : [],
            errors: open.errors,
            version: `${open.view.id}:${open.view.hash}:${JSON.stringify(open.errors)}`,
          }
        : null,
    home: homeOf(standin, me),
    shortcuts: MESSAGE_SHORTCUTS,
  };
}

function homeOf(standin: FakeSlack, me: string): PageState['home'] {
  const home = standin.views.find((v) => v.type === 'home' && v.user === me);
  if (!home) return null;
  return { id: home.id, blocks: Array.isArray(home.view.blocks) ? (home.view.blocks as Json[]) : [] };
}
