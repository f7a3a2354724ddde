// Recording a step: its output and the facts it collects. Acked only once recorded, so a
// refusal shows on the form itself.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { z } from 'zod';
import type { factsInput } from '../../src/services/verbs.ts';
import { BLOCK } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { fieldValue, fieldValues, fieldYesNo, type StateValues, stepRefOfView } from './values.ts';

type Facts = z.input<typeof factsInput>;

/** The facts the form collects, as the `complete_step` verb takes them. */
export function factsOf(values: StateValues): Facts {
  const facts: Facts = {};
  const severity = fieldValue(values, BLOCK.severity);
  if (severity) facts.severity = severity as Facts['severity'];
  if (values[BLOCK.projects]) facts.projects = fieldValues(values, BLOCK.projects);
  const releaseType = fieldValue(values, BLOCK.releaseType);
  if (releaseType) facts.release_type = releaseType as Facts['release_type'];
  const exposed = fieldYesNo(values, BLOCK.userDataExposed);
  if (exposed !== undefined) facts.user_data_exposed = exposed;
  const notified = fieldYesNo(values, BLOCK.notificationSent);
  if (notified !== undefined) facts.notification_sent = notified;
  return facts;
}

export function stepDoneSubmitted(deps: HandlerDeps) {
  return async ({ ack, view, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const ref = stepRefOfView(view.private_metadata);
    const values = view.state.values as StateValues;
    await deps.verbs.complete_step({
      actor: await deps.actorOf(body),
      input: {
        run_id: ref.runId,
        step_key: ref.stepKey,
        output: fieldValue(values, BLOCK.output),
        facts: factsOf(values),
      },
    });
    await ack();
  };
}
