// A declared incident: an Incident Response run in the message's channel (once per modal,
// however often it is submitted). The reply in the message's thread linking to the run goes
// through the outbox, once the run's root message is posted.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { INCIDENT_SEVERITIES } from '../../routing/vocabulary.ts';
import type { Severity } from '../../src/domain/types.ts';
import { ValidationError } from '../../src/errors.ts';
import { BLOCK, parseIncidentSource } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { fieldValue, fieldYesNo, requireField, type StateValues } from './values.ts';

const SEVERITIES = new Set<string>(INCIDENT_SEVERITIES);

export function declareIncidentSubmitted(deps: HandlerDeps) {
  return async ({ ack, view, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const source = parseIncidentSource(view.private_metadata);
    if (!source)
      throw new ValidationError(
        'bad_metadata',
        'This form lost track of its message; use the shortcut again.',
      );
    const values = view.state.values as StateValues;
    const title = requireField(values, BLOCK.title, 'Give the incident a title.');
    const severity = fieldValue(values, BLOCK.severity);
    if (!severity || !SEVERITIES.has(severity)) {
      throw new ValidationError('field_required', 'Choose SEV1, SEV2 or SEV3.', { field: BLOCK.severity });
    }
    const description = fieldValue(values, BLOCK.description) ?? title;
    const service = fieldValue(values, BLOCK.service);
    const userData = fieldYesNo(values, BLOCK.userData);
    const outcome = await deps.verbs.start_request({
      actor: await deps.actorOf(body),
      input: {
        chain: 'incident',
        title,
        text: service ? `${description}\n\nAffected service: ${service}` : description,
        severity: severity as Severity,
        flags: userData ? ['user_data'] : [],
        channel_id: source.channelId,
        thread_ts: null,
        source: 'shortcut',
        idempotency_keys: [`view:${view.id}`],
        context: {
          permalink: source.permalink,
          service,
          userDataMayBeExposed: userData ?? null,
          declaredFrom: { channelId: source.channelId, ts: source.messageTs },
        },
        reply_in: { channel_id: source.channelId, thread_ts: source.threadTs ?? source.messageTs },
      },
    });
    if (outcome.kind === 'describe') {
      const message = 'Say what is happening: the title and description have no words of their own.';
      throw new ValidationError('too_little', message, { field: BLOCK.description });
    }
    await ack();
  };
}
