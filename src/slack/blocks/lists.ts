// Answers to /lead (choose a chain, mine, roles, help, refusals) and the App Home tab.

import type { HomeView, KnownBlock } from '@slack/types';
import type { Classification } from '../../../routing/classifier/index.ts';
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import { CHAIN_TITLES } from '../../../routing/vocabulary.ts';
import { liveChild } from '../../domain/links.ts';
import type { MetricsReport } from '../../domain/reports.ts';
import type { Run, Step } from '../../domain/types.ts';
import { THREAD_VERBS } from '../../services/thread-command.ts';
import { ACTION, COMMAND_LEAD, encodeChainChoice, encodeStepRef } from '../ids.ts';
import {
  actions,
  button,
  context,
  divider,
  fitBlocks,
  fitMessage,
  header,
  mentionAll,
  option,
  type SlackMessage,
  section,
  userText,
} from './kit.ts';
import { LIMITS, oneLine, splitText } from './limits.ts';
import { linkLines } from './links.ts';
import { buildMetricsBlocks } from './reports.ts';
import { chainTitle, currentStep, progressLine, RUN_STATUS_LABEL, stepOwners } from './run.ts';

const titleOf = (chain: string, titles: Readonly<Record<string, string>>) => titles[chain] ?? chain;

/**
 * The classifier was unsure: the requester picks. The best two choices are buttons (the best
 * one primary), the other chains are in an overflow menu, then a cancel button. Every choice
 * has action_id `choose_chain` (one per block) and value `encodeChainChoice(pendingId, chain)`.
 */
export function buildChooseChainMessage(
  classification: Pick<Classification<string>, 'choices' | 'title' | 'explanation'> &
    Partial<Pick<Classification, 'confidence'>>,
  pendingId: number,
  titles: Readonly<Record<string, string>> = CHAIN_TITLES,
): SlackMessage {
  const all = [...new Set([...classification.choices, ...Object.keys(titles)])];
  const best = all.slice(0, 2);
  const others = all.slice(2);
  const blocks: KnownBlock[] = [
    section(`Which chain fits *${userText(oneLine(classification.title, 150), 300)}*?`),
  ];
  if (classification.explanation) blocks.push(context(userText(classification.explanation, 1000)));
  // One button per actions block: Slack wants action_ids unique within a block, and handlers
  // listen on the one ACTION.chooseChain.
  best.forEach((chain, i) => {
    const choice = encodeChainChoice(pendingId, chain);
    blocks.push(
      ...actions(
        [button(titleOf(chain, titles), ACTION.chooseChain, choice, i === 0 ? 'primary' : undefined)],
        `choose_chain_best_${i}`,
      ),
    );
  });
  if (others.length > 0) {
    // Overflow menus hold five options; more chains would need a second menu.
    const menus = [];
    for (let i = 0; i < others.length; i += LIMITS.overflowOptions)
      menus.push(others.slice(i, i + LIMITS.overflowOptions));
    menus.forEach((menu, i) => {
      blocks.push(
        section(i === 0 ? 'Something else?' : ' ', {
          block_id: `choose_chain_other_${i}`,
          accessory: {
            type: 'overflow',
            action_id: ACTION.chooseChain,
            options: menu.map((chain) => option(titleOf(chain, titles), encodeChainChoice(pendingId, chain))),
          },
        }),
      );
    });
  }
  blocks.push(...actions([button('Cancel', ACTION.cancelRequest, String(pendingId))], 'choose_chain_cancel'));
  const text = `Which chain fits "${oneLine(classification.title, 150)}"? ${best.map((c) => titleOf(c, titles)).join(' or ')}?`;
  return fitMessage({ text, blocks });
}

/** The classifier's question answered: what was started, replacing the question. */
export function buildChainStarted(run: Pick<Run, 'id' | 'title'>, chainTitle: string): SlackMessage {
  const title = oneLine(run.title, 200);
  return fitMessage({
    text: `Started ${chainTitle} ${run.id}: ${title}`,
    blocks: [section(`▶️ Started ${chainTitle} *${run.id}*: ${userText(title, 300)}`)],
  });
}

/** A reply in the thread of a message an incident was declared from, linking to the run. */
export function buildIncidentDeclaredReply(input: {
  by: string;
  runId: string;
  severity: string | null;
  title: string;
  /** The run's root message; without it the title alone. */
  permalink: string | null;
}): SlackMessage {
  // A link's label is user text too: escaped, and without the characters that end a link.
  const label = userText(oneLine(input.title, 150), 300).replace(/[<>|]/g, '');
  const severity = input.severity ? ` (${input.severity.toUpperCase()})` : '';
  const link = input.permalink ? `<${input.permalink}|${label}>` : label;
  const line = `🚨 <@${input.by}> declared ${input.runId}${severity}: ${link}`;
  return fitMessage({ text: line, blocks: [section(line)] });
}

/** One waiting step: where it is, who it waits on, and a Done button. */
function waitingItem(run: Run, step: Step, playbook?: Pick<Playbook, 'title'>): KnownBlock[] {
  const state = step.status === 'blocked' ? ' ⛔ blocked' : '';
  return [
    section(
      `*${run.id}* · ${chainTitle(run, playbook)} · ${userText(oneLine(run.title, 150), 300)}\n*Step ${step.idx + 1}/${run.steps.length} · ${userText(oneLine(step.title, 150), 300)}*${state}${
        step.spec.output ? `\nExpected: ${userText(step.spec.output, 500)}` : ''
      }`,
      step.status === 'active'
        ? { accessory: button('Done', ACTION.stepDone, encodeStepRef(run.id, step.key), 'primary') }
        : {},
    ),
  ];
}

/** `/lead mine`: the steps waiting on the user. */
export function buildMineList(
  items: readonly { run: Run; step: Step }[],
  playbooks: readonly Pick<Playbook, 'id' | 'title'>[] = [],
): SlackMessage {
  if (items.length === 0)
    return { text: 'Nothing is waiting on you.', blocks: [section('🎉 Nothing is waiting on you.')] };
  const byId = new Map(playbooks.map((p) => [p.id, p]));
  const blocks: KnownBlock[] = [
    section(`*${items.length} step${items.length === 1 ? '' : 's'} waiting on you*`),
  ];
  for (const { run, step } of items) blocks.push(...waitingItem(run, step, byId.get(run.chain)));
  return fitMessage({
    text: `${items.length} step(s) waiting on you: ${items.map((i) => `${i.run.id} ${i.step.title}`).join(', ')}`,
    blocks,
  });
}

/** `/lead roles`: who holds each role. */
export function buildRolesList(
  roles: readonly { role: string; title?: string; holders: readonly string[] }[],
): SlackMessage {
  const lines = roles.map(
    (r) =>
      `*@${r.role}*${r.title ? ` (${userText(r.title, 100)})` : ''}: ${r.holders.length > 0 ? mentionAll(r.holders) : '_nobody_'}`,
  );
  const blocks: KnownBlock[] = [
    ...splitText(lines.join('\n') || 'No roles.', LIMITS.sectionText - 100).map((part) => section(part)),
    context(`Admins change a role with \`${COMMAND_LEAD} role set <Role> @someone\`.`),
  ];
  const unheld = roles.filter((r) => r.holders.length === 0).map((r) => r.role);
  const text = `${roles.length} roles${unheld.length > 0 ? `; nobody holds ${unheld.join(', ')}` : ''}`;
  return fitMessage({ text, blocks });
}

const HELP: readonly (readonly [string, string])[] = [
  ['<request>', 'start the chain that fits it (I ask when unsure)'],
  ['feature|bug|release|incident|change|audit <request>', 'start that chain'],
  ['status [RUN-ID]', 'the run, or the runs open in this channel'],
  ['mine', 'the steps waiting on you'],
  ['roles', 'who holds each role'],
  ['role set <Role> @someone [@someone-else]', 'set who holds a role (admins)'],
  ['digest [daily|weekly]', 'post a digest now'],
  ['metrics', 'per chain: runs, average duration, success rate; MTTR for SEV1 and SEV2'],
  ['postmortem RUN-ID', "post a draft post-mortem in an incident's thread"],
  ['gdpr RUN-ID notified', 'record that the supervisory authority was notified (Privacy)'],
  ['help', 'this'],
];

/** `teamChains`: the chains teams brought (playbooks beyond the six), listed after them. */
export function buildHelp(teamChains: readonly { command: string; title: string }[] = []): SlackMessage {
  const team: [string, string][] = teamChains.map((c) => [`${c.command} <request>`, `start ${c.title}`]);
  const all = [...HELP.slice(0, 2), ...team, ...HELP.slice(2)];
  const lines = all.map(([cmd, what]) => `\`${COMMAND_LEAD} ${cmd}\`: ${what}`);
  return {
    text: `${COMMAND_LEAD} usage: ${all.map(([cmd]) => cmd.split(' ')[0]).join(', ')}`,
    blocks: [
      section(`*ProjectLead* runs the SOP chains in Slack threads.\n${lines.join('\n')}`),
      section(
        `*In a run's thread* (people and agents alike), mention me with:\n${THREAD_VERBS.map((v) => `\`@ProjectLead ${v.usage}\`: ${v.does}`).join('\n')}\nFacts go on their own lines after \`done\` (\`severity: high\`, \`projects: web, backend\`) or as a JSON block.`,
      ),
      context(
        'Mention me (`@ProjectLead <request>`) to run a chain in a thread, or use the *Declare incident* message shortcut.',
      ),
    ],
  };
}

/** A request of each built-in chain, by its command word: what a description looks like. */
const REQUEST_EXAMPLES: Readonly<Record<string, string>> = {
  feature: 'Dark mode for the dashboard',
  bug: 'Checkout crashes on Safari when the cart is empty',
  release: 'v2.4 on Thursday',
  incident: 'Checkout API returns 500 for everyone since 14:05',
  change: 'Rename amount to amount_minor in the payments API',
  audit: 'Quarterly GDPR review of the mobile app',
};

/**
 * The request said too little to act on (`???`, `:fire:`, `hi`, a bare link, or a chain word
 * with nothing after it): nothing started; how to say it. `prefix` is how the requester spoke
 * to the bot (`/lead` or `@ProjectLead`); `chain` the chain they named, if any.
 */
export function buildDescribeRequest(input: {
  prefix: string;
  /** `example`: a team's chain's first example request. */
  chain?: { command: string; title: string; example?: string } | null;
}): SlackMessage {
  const { prefix, chain } = input;
  const text = chain
    ? `Nothing was started: say what the ${chain.title} is about, e.g. \`${prefix} ${chain.command} ${
        REQUEST_EXAMPLES[chain.command] ?? chain.example ?? '<what it is about, in a sentence>'
      }\`.`
    : `Nothing was started: that does not say what is needed. Describe it in a sentence, e.g. \`${prefix} ${REQUEST_EXAMPLES.bug}\`, and I pick the workflow; or name it: \`${prefix} bug …\`, \`${prefix} incident …\`, \`${prefix} feature …\`.`;
  return {
    text,
    blocks: [section(`🤔 ${text}`), context(`\`${COMMAND_LEAD} help\` lists every workflow and subcommand.`)],
  };
}

/** An answer for the user alone when an action is refused or fails: nothing changed. */
export function buildRefusal(message: string): SlackMessage {
  return fitMessage({ text: message, blocks: [section(`🚫 ${userText(message, LIMITS.sectionText - 10)}`)] });
}

/** The App Home tab: what waits on the user, the open runs, per-chain metrics and MTTR. */
export function buildAppHome(input: {
  waiting: readonly { run: Run; step: Step }[];
  openRuns: readonly Run[];
  metrics: MetricsReport;
  playbooks?: readonly Pick<Playbook, 'id' | 'title'>[];
}): HomeView {
  const byId = new Map((input.playbooks ?? []).map((p) => [p.id, p]));
  const blocks: KnownBlock[] = [header('Waiting on you')];
  if (input.waiting.length === 0) blocks.push(section('🎉 Nothing is waiting on you.'));
  for (const { run, step } of input.waiting.slice(0, 20))
    blocks.push(...waitingItem(run, step, byId.get(run.chain)));
  if (input.waiting.length > 20)
    blocks.push(context(`…and ${input.waiting.length - 20} more: \`${COMMAND_LEAD} mine\``));
  blocks.push(divider(), header('Open runs'));
  if (input.openRuns.length === 0) blocks.push(section('No open runs.'));
  for (const run of input.openRuns.slice(0, 25)) {
    const step = currentStep(run);
    const child = step ? liveChild(run, step.key) : undefined;
    blocks.push(
      section(
        `*${run.id}* · ${chainTitle(run, byId.get(run.chain))} · ${userText(oneLine(run.title, 150), 300)} · ${RUN_STATUS_LABEL[run.status]}\n${progressLine(run, 1500)}${
          step ? `\n${step.title}: ${child ? `runs as ${child.runId}` : stepOwners(step)}` : ''
        }`,
        { accessory: button('Status', ACTION.openRun, run.id) },
      ),
      ...linkLines(run),
    );
  }
  if (input.openRuns.length > 25)
    blocks.push(context(`…and ${input.openRuns.length - 25} more: \`${COMMAND_LEAD} status\``));
  blocks.push(divider(), ...buildMetricsBlocks(input.metrics));
  return { type: 'home', blocks: fitBlocks(blocks, LIMITS.viewBlocks) };
}
