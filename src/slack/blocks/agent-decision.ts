// An agent's pass or rejection of a gate that needs a person: what it decided, and a Confirm and
// an Overrule button for the people on its role's escalation path (they are mentioned; the agent
// is named in plain text). Pure.
import type { KnownBlock } from '@slack/types';
import { ACTION, encodeStepRef } from '../ids.ts';
import {
  actions,
  button,
  context,
  fitMessage,
  quote,
  roleMentions,
  type SlackMessage,
  section,
  userText,
} from './kit.ts';
import { oneLine } from './limits.ts';
import type { NoticeOf } from './notices.ts';

export function buildAgentDecisionMessage(n: NoticeOf<'agent_decision'>): SlackMessage {
  const ref = encodeStepRef(n.runId, n.stepKey);
  const who = `*${userText(n.byName, 80)}* (@${n.role}, an agent)`;
  const what = n.decision === 'pass' ? 'passed the gate of' : 'rejects the run at';
  const people = n.confirmers.filter((c) => c.principals.length > 0);
  const ask =
    people.length > 0
      ? `${roleMentions(people)}: please confirm or overrule.`
      : 'An admin must confirm or overrule.';
  const blocks: KnownBlock[] = [
    section(
      `🤖 ${who} ${what} *${userText(oneLine(n.stepTitle, 150), 300)}*. It waits for a person.\n${ask}`,
    ),
    context(`Gate: _${userText(n.gate, 500)}_`),
  ];
  if (n.said) blocks.push(section(quote(n.said)));
  blocks.push(
    ...actions(
      [
        button('Confirm', ACTION.gateConfirm, ref, 'primary'),
        button('Overrule', ACTION.gateOverrule, ref, 'danger'),
      ],
      `decision_${n.stepKey}`.slice(0, 255),
    ),
  );
  return fitMessage({
    text: `${n.runId}: ${oneLine(n.byName, 80)} ${what} ${oneLine(n.stepTitle, 150)}; a person must confirm`,
    blocks,
  });
}
