// views.*: modals opened and pushed with a trigger_id (once, within its TTL), updated by id or
// external id (with the hash), and home tabs published.
import { requireView } from './checks.ts';
import type { Handler, SlackStore } from './store.ts';
import type { Json } from './types.ts';
import { fail, optionalString, requireString } from './wire.ts';

export function viewsMethods(s: SlackStore, triggerTtlMs: number): Record<string, Handler> {
  return {
    'views.open': (args) => viewsOpen(s, triggerTtlMs, args, 'views.open'),
    'views.push': (args) => viewsOpen(s, triggerTtlMs, args, 'views.push'),
    'views.update': (args) => viewsUpdate(s, args),
    'views.publish': (args) => viewsPublish(s, args),
  };
}

function viewsOpen(s: SlackStore, triggerTtlMs: number, args: Json, via: 'views.open' | 'views.push'): Json {
  const triggerId = requireString(args, 'trigger_id');
  const trigger = s.state.triggers.get(triggerId);
  if (trigger === undefined) fail('invalid_trigger_id');
  if (trigger.used) fail('exchanged_trigger_id');
  if (s.now() - trigger.issuedAt > triggerTtlMs) fail('expired_trigger_id');
  const view = requireView(args);
  trigger.used = true;
  const parent =
    via === 'views.push'
      ? s.state.views.filter((v) => v.user === trigger.userId && v.type === 'modal').at(-1)
      : undefined;
  const stored = s.storeView(view, trigger.userId, via, triggerId, parent);
  return { view: s.slackView(stored) };
}

function viewsUpdate(s: SlackStore, args: Json): Json {
  const viewId = optionalString(args.view_id);
  const externalId = optionalString(args.external_id);
  if (viewId === undefined && externalId === undefined) fail('invalid_arguments');
  const stored = s.state.views.find((v) =>
    viewId !== undefined ? v.id === viewId : v.external_id === externalId,
  );
  if (stored === undefined) fail('not_found');
  if (args.hash !== undefined && args.hash !== stored.hash) fail('hash_conflict');
  const view = requireView(args);
  s.reviseView(stored, view);
  return { view: s.slackView(stored) };
}

function viewsPublish(s: SlackStore, args: Json): Json {
  const user = requireString(args, 'user_id');
  const view = requireView(args);
  if (view.type !== 'home')
    fail('invalid_arguments', { response_metadata: { messages: ['view.type must be home'] } });
  let stored = s.state.views.find((v) => v.type === 'home' && v.user === user);
  if (stored === undefined) {
    stored = s.storeView(view, user, 'views.publish', undefined, undefined);
  } else {
    if (args.hash !== undefined && args.hash !== stored.hash) fail('hash_conflict');
    s.reviseView(stored, view);
  }
  s.state.homeViews.set(user, [...(s.state.homeViews.get(user) ?? []), view]);
  return { view: s.slackView(stored) };
}
