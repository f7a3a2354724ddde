// Handing the step (one of its roles) to the people chosen.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { ValidationError } from '../../src/errors.ts';
import { BLOCK } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { fieldValue, fieldValues, type StateValues, stepRefOfView } from './values.ts';

export function stepReassignSubmitted(deps: HandlerDeps) {
  return async ({ ack, view, body }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const ref = stepRefOfView(view.private_metadata);
    const values = view.state.values as StateValues;
    const to = fieldValues(values, BLOCK.assignees);
    if (to.length === 0)
      throw new ValidationError('field_required', 'Choose who takes the step over.', {
        field: BLOCK.assignees,
      });
    const role = fieldValue(values, BLOCK.role) ?? undefined;
    await deps.verbs.reassign_step({
      actor: await deps.actorOf(body),
      input: { run_id: ref.runId, step_key: ref.stepKey, to, ...(role ? { role } : {}) },
    });
    await ack();
  };
}
