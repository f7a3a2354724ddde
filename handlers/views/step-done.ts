// Recording a step: its output and the facts it collects. Acked only once recorded, so a
// refusal shows on the form itself.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { CollectedFacts } from '../../src/domain/run-machine.ts';
import type { Severity } from '../../src/domain/types.ts';
import { BLOCK } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { fieldValue, fieldValues, fieldYesNo, type StateValues, stepRefOfView } from './values.ts';

export function factsOf(values: StateValues): CollectedFacts {
  const facts: CollectedFacts = {};
  const severity = fieldValue(values, BLOCK.severity);
  if (severity) facts.severity = severity as Severity;
  if (values[BLOCK.projects]) facts.projects = fieldValues(values, BLOCK.projects);
  const releaseType = fieldValue(values, BLOCK.releaseType);
  if (releaseType) facts.releaseType = releaseType as CollectedFacts['releaseType'];
  const exposed = fieldYesNo(values, BLOCK.userDataExposed);
  if (exposed !== undefined) facts.userDataExposed = exposed;
  const notified = fieldYesNo(values, BLOCK.notificationSent);
  if (notified !== undefined) facts.notificationSent = notified;
  return facts;
}

export function stepDoneSubmitted(deps: HandlerDeps) {
  return async ({ ack, view, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const ref = stepRefOfView(view.private_metadata);
    const values = view.state.values as StateValues;
    await deps.runs.completeStep(ref.runId, body.user.id, {
      stepKey: ref.stepKey,
      output: fieldValue(values, BLOCK.output),
      facts: factsOf(values),
    });
    await ack();
  };
}
