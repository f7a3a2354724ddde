// `/lead <text>`: ack at once, then answer the requester alone through the response_url.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.ts';
import { answerLead } from './answer.ts';
import { parseLeadCommand } from './parse.ts';

export function leadCommand(deps: HandlerDeps) {
  return async ({ ack, command, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const cmd = parseLeadCommand(command.text ?? '', deps.chainForCommand);
    const answer = await answerLead(
      cmd,
      {
        actor: await deps.actorOf(command),
        channelId: command.channel_id,
        threadTs: null,
        source: 'slash',
        idempotencyKeys: [],
        responseUrl: command.response_url,
      },
      deps,
    );
    if (answer) await respond({ response_type: 'ephemeral', replace_original: false, ...answer });
  };
}
