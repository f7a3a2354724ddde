// manifest.yml and the registered listeners agree in both directions: every command, shortcut
// and event Slack is told about has a listener, and every listener is declared to Slack, with
// the scopes it needs.
import { readFileSync } from 'node:fs';
import type { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type HandlerDeps, registerHandlers } from '../../handlers/index.ts';
import { ACTION, CALLBACK, COMMAND_LEAD, EVENT } from '../../src/slack/ids.ts';

interface Manifest {
  features: {
    app_home?: { home_tab_enabled?: boolean };
    slash_commands?: { command: string; url?: string; should_escape?: boolean }[];
    shortcuts?: { callback_id: string; type: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions?: { bot_events: string[]; request_url?: string };
    interactivity?: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled?: boolean;
  };
}

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as Manifest;

/** What registerHandlers asks Bolt for, by kind. */
function registered() {
  const seen = {
    command: [] as string[],
    shortcut: [] as string[],
    action: [] as string[],
    view: [] as string[],
    event: [] as string[],
  };
  const record = (kind: keyof typeof seen) => (id: unknown) => {
    seen[kind].push(String(id));
  };
  const app = {
    command: record('command'),
    shortcut: record('shortcut'),
    action: record('action'),
    view: record('view'),
    event: record('event'),
  } as unknown as App;
  registerHandlers(app, {} as HandlerDeps);
  return seen;
}

describe('manifest.yml', () => {
  const r = registered();

  it('declares exactly the slash commands there are listeners for', () => {
    expect(manifest.features.slash_commands?.map((c) => c.command).sort()).toEqual([...r.command].sort());
    expect(r.command).toEqual([COMMAND_LEAD]);
    // Mentions come escaped (<@U…|name>, <!subteam^S…>), which `/lead role set` parses.
    expect(manifest.features.slash_commands?.every((c) => c.should_escape === true)).toBe(true);
  });

  it('declares exactly the shortcuts there are listeners for', () => {
    expect(manifest.features.shortcuts?.map((s) => s.callback_id).sort()).toEqual([...r.shortcut].sort());
    expect(manifest.features.shortcuts?.find((s) => s.callback_id === CALLBACK.declareIncident)?.type).toBe(
      'message',
    );
  });

  it('subscribes to exactly the events there are listeners for, with the App Home tab on', () => {
    expect([...(manifest.settings.event_subscriptions?.bot_events ?? [])].sort()).toEqual(
      [...r.event].sort(),
    );
    expect(r.event).toEqual(
      expect.arrayContaining([EVENT.appMention, EVENT.appHomeOpened, EVENT.memberJoinedChannel]),
    );
    expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
  });

  it('enables interactivity because there are action, shortcut and view listeners; every modal and step button has one', () => {
    expect(manifest.settings.interactivity?.is_enabled).toBe(
      r.action.length + r.view.length + r.shortcut.length > 0,
    );
    const modals = Object.values(CALLBACK).filter((c) => c !== CALLBACK.declareIncident);
    expect([...r.view].sort()).toEqual([...modals].sort());
    for (const a of [
      ACTION.stepDone,
      ACTION.stepBlock,
      ACTION.stepUnblock,
      ACTION.stepReassign,
      ACTION.stepReject,
      ACTION.stepSkip,
      ACTION.stepAck,
      ACTION.stepSnooze,
      ACTION.gdprNotified,
      ACTION.chooseChain,
    ]) {
      expect(r.action).toContain(a);
    }
    expect(r.action.every((a) => (Object.values(ACTION) as string[]).includes(a))).toBe(true);
  });

  it('asks for the bot scopes the listeners and the outbox use, and no more', () => {
    const needed = new Set<string>([
      'chat:write',
      'chat:write.public',
      'im:write',
      'usergroups:read',
      'users:read',
      // The outbox reads its own posts back (message metadata) before posting one again.
      'channels:history',
      'groups:history',
      'im:history',
      // The weekly digest uploads its chart.
      'files:write',
    ]);
    if (r.command.length > 0 || r.shortcut.length > 0) needed.add('commands');
    if (r.event.includes(EVENT.appMention)) needed.add('app_mentions:read');
    // Joins are sent for public channels with channels:read, for private ones with groups:read.
    if (r.event.includes(EVENT.memberJoinedChannel)) needed.add('channels:read').add('groups:read');
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('sends commands, interactivity and events to the one HTTP path, and turns Socket Mode on', () => {
    const urls = [
      ...(manifest.features.slash_commands ?? []).map((c) => c.url),
      manifest.settings.interactivity?.request_url,
      manifest.settings.event_subscriptions?.request_url,
    ];
    expect(urls.every((u) => typeof u === 'string' && u.endsWith('/slack/events'))).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });
});
