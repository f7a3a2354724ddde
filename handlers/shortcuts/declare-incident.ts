// Message shortcut "Declare incident": the modal opens at once (a trigger_id lives 3 s), then
// is brought up to date with the message's permalink.
import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { normalizeSlackText } from '../../routing/classifier/index.ts';
import { buildDeclareIncidentModal } from '../../src/slack/blocks/index.ts';
import { encodeIncidentSource, type IncidentSource } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';

export function declareIncident(deps: HandlerDeps) {
  return async ({ ack, shortcut }: SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs) => {
    await ack();
    const text = shortcut.message.text ?? '';
    const title = normalizeSlackText(text).split('\n')[0]?.trim() || 'Incident';
    const playbook = deps.playbooks.find((p) => p.id === 'incident');
    const source: IncidentSource = {
      channelId: shortcut.channel.id,
      messageTs: shortcut.message.ts,
      threadTs: shortcut.message.thread_ts ?? null,
      permalink: null,
    };
    const opened = await deps.slack.views.open({
      trigger_id: shortcut.trigger_id,
      view: buildDeclareIncidentModal({
        title,
        description: text,
        playbook,
        privateMetadata: encodeIncidentSource(source),
      }),
    });
    const link = await deps.slack.chat.getPermalink({
      channel: source.channelId,
      message_ts: source.messageTs,
    });
    if (!link.permalink || !opened.view?.id) return;
    await deps.slack.views.update({
      view_id: opened.view.id,
      ...(opened.view.hash ? { hash: opened.view.hash } : {}),
      view: buildDeclareIncidentModal({
        title,
        description: text,
        permalink: link.permalink,
        playbook,
        privateMetadata: encodeIncidentSource({ ...source, permalink: link.permalink }),
      }),
    });
  };
}
