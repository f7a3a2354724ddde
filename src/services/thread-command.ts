// A reply in a run's thread, read as a verb call: `done [step] [output]` with facts on their own
// lines, `block <reason>`, `unblock [rationale]`, `reject <reason>`, `skip <reason>`, `ack`,
// `reassign <@U…>`, `snooze <duration>`, `status` (../shared/CONTRACT.md, "Acting from the
// thread"). Pure: the text (the bot's mention already removed) and the run in, the verb and its
// input out. The surface calls the verb from the table with the author as the actor, so the
// permission checks are exactly those of the buttons.
import type { Run } from '../domain/types.ts';
import { ValidationError } from '../errors.ts';
import { parseFactsText } from './facts.ts';
import type { VerbInput } from './verbs.ts';

type ThreadVerb =
  | 'complete_step'
  | 'block_step'
  | 'unblock_step'
  | 'reject_run'
  | 'skip_step'
  | 'acknowledge_step'
  | 'reassign_step'
  | 'snooze_step'
  | 'confirm_decision'
  | 'overrule_decision'
  | 'start_follow_up';

export type ThreadCall =
  | { [N in ThreadVerb]: { kind: 'verb'; verb: N; input: VerbInput<N> } }[ThreadVerb]
  | { kind: 'status' }
  /** Not a verb: the answer lists the words that work. */
  | { kind: 'unknown'; word: string };

/** The words, as `/lead help` and the answer to anything else show them. */
export const THREAD_VERBS: readonly { usage: string; does: string }[] = [
  { usage: 'done [step] [output]', does: 'your part of the step is done (on a gate: it passed)' },
  { usage: 'block <reason>', does: 'block the step (on a gate: it failed)' },
  { usage: 'unblock [rationale]', does: 'lift the block' },
  { usage: 'reject <reason>', does: 'reject the run at its gate' },
  { usage: 'skip <reason>', does: 'skip the step' },
  { usage: 'ack', does: 'acknowledge the step' },
  { usage: 'reassign @someone', does: 'hand your step to them' },
  { usage: 'snooze <30m|2h|1d>', does: "quiet the step's reminders" },
  { usage: 'status', does: "the run's status" },
  { usage: 'confirm', does: "confirm an agent's decision on a gate (people on its escalation path)" },
  { usage: 'overrule <reason>', does: 'overrule it: the step goes back to the agent' },
  {
    usage: 'follow-up bug|feature <what>',
    does: "open a post-mortem's follow-up as a Bug Fix or New Feature run linked to the incident",
  },
];

/** "Use one of: `done [step] [output]`, `block <reason>`, …" on one line. */
export function threadVerbsLine(): string {
  return THREAD_VERBS.map((v) => `\`${v.usage}\``).join(', ');
}

const WORDS: Record<string, ThreadVerb | 'status'> = {
  done: 'complete_step',
  complete: 'complete_step',
  completed: 'complete_step',
  approve: 'complete_step',
  approved: 'complete_step',
  block: 'block_step',
  unblock: 'unblock_step',
  reject: 'reject_run',
  skip: 'skip_step',
  ack: 'acknowledge_step',
  acknowledge: 'acknowledge_step',
  reassign: 'reassign_step',
  snooze: 'snooze_step',
  status: 'status',
  confirm: 'confirm_decision',
  overrule: 'overrule_decision',
  'follow-up': 'start_follow_up',
  followup: 'start_follow_up',
  follow_up: 'start_follow_up',
};

/** The words for the chains a follow-up becomes. */
const FOLLOW_UP_WORDS: Record<string, 'bug' | 'feature'> = {
  bug: 'bug',
  fix: 'bug',
  bugfix: 'bug',
  feature: 'feature',
  feat: 'feature',
};

/** `30m`, `2h`, `1d`, `1h30m`, `90` (minutes) → minutes; null when not a duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  const re = /(\d+)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m)/g;
  let total = 0;
  let matched = '';
  for (const m of t.matchAll(re)) {
    const n = Number(m[1]);
    const unit = m[2]![0];
    total += unit === 'd' ? n * 1440 : unit === 'h' ? n * 60 : n;
    matched += m[0];
  }
  return matched.replace(/\s/g, '') === t.replace(/\s/g, '') && total > 0 ? total : null;
}

const USER = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;
const GROUP = /^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>$/;

/** The users or groups a `reassign` names, as Slack escapes them. */
function members(tokens: string[]): string[] {
  return tokens.map((token) => {
    const id = USER.exec(token)?.[1] ?? GROUP.exec(token)?.[1];
    if (id) return id;
    throw new ValidationError(
      'bad_member',
      `"${token}" is not a user or user group: mention them, e.g. \`reassign @jane\`.`,
    );
  });
}

/**
 * The verb call a thread reply makes on `run`. The step's key may follow the verb (`done design
 * The ADR is linked`); otherwise the verb acts on the run's current step.
 */
export function parseThreadCommand(text: string, run: Pick<Run, 'id' | 'steps'>): ThreadCall {
  const trimmed = text.replace(/^[\s,:;.!-]+/, '').trimEnd();
  const word = /^\S+/.exec(trimmed)?.[0] ?? '';
  const kind = WORDS[word.toLowerCase().replace(/[:,.!]+$/, '')];
  if (!kind) return { kind: 'unknown', word };
  if (kind === 'status') return { kind: 'status' };
  if (kind === 'start_follow_up') {
    const [, chainWord = '', title = ''] = /^\S+\s*(\S*)\s*([\s\S]*)$/.exec(trimmed) ?? [];
    const chain = FOLLOW_UP_WORDS[chainWord.toLowerCase().replace(/[:,.]+$/, '')];
    if (!chain || !title.trim())
      throw new ValidationError(
        'bad_input',
        'Say what it becomes and what it is: `follow-up bug <what>` or `follow-up feature <what>`.',
      );
    return { kind: 'verb', verb: kind, input: { run_id: run.id, chain, title: title.trim() } };
  }
  let rest = trimmed.slice(word.length).replace(/^[ \t]*[:,-]?[ \t]*/, '');
  const first = /^\S+/.exec(rest)?.[0] ?? '';
  const step = run.steps.find((s) => s.key.toLowerCase() === first.toLowerCase().replace(/[:,.]+$/, ''));
  if (step) rest = rest.slice(first.length).replace(/^[ \t]*[:,-]?[ \t]*/, '');
  rest = rest.trim();
  const ref = { run_id: run.id, ...(step ? { step_key: step.key } : {}) };
  const reason = (what: string) => {
    if (!rest) throw new ValidationError('reason_required', `Say why: \`${word.toLowerCase()} <${what}>\`.`);
    return rest;
  };
  switch (kind) {
    case 'complete_step': {
      const { output, facts } = parseFactsText(rest);
      return {
        kind: 'verb',
        verb: kind,
        input: { ...ref, output, ...(facts ? { facts } : {}) },
      };
    }
    case 'block_step':
      return { kind: 'verb', verb: kind, input: { ...ref, reason: reason('reason') } };
    case 'unblock_step':
      return { kind: 'verb', verb: kind, input: { ...ref, rationale: rest || null } };
    case 'reject_run':
      return { kind: 'verb', verb: kind, input: { ...ref, reason: reason('reason') } };
    case 'skip_step':
      return { kind: 'verb', verb: kind, input: { ...ref, reason: reason('reason') } };
    case 'acknowledge_step':
      return { kind: 'verb', verb: kind, input: ref };
    case 'confirm_decision':
      return { kind: 'verb', verb: kind, input: ref };
    case 'overrule_decision':
      return { kind: 'verb', verb: kind, input: { ...ref, reason: reason('reason') } };
    case 'reassign_step': {
      const to = members(rest.split(/\s+/).filter(Boolean));
      if (to.length === 0)
        throw new ValidationError('assignee_required', 'Name who takes the step: `reassign @someone`.');
      return { kind: 'verb', verb: kind, input: { ...ref, to } };
    }
    case 'snooze_step': {
      const minutes = parseDuration(rest);
      if (minutes === null)
        throw new ValidationError(
          'bad_snooze',
          'Say for how long: `snooze 30m`, `snooze 2h` or `snooze 1d`.',
        );
      const key =
        step?.key ?? run.steps.find((s) => s.status === 'active' || s.status === 'blocked')?.key ?? null;
      if (!key) throw new ValidationError('bad_snooze', `${run.id} has no step waiting now.`);
      return { kind: 'verb', verb: kind, input: { run_id: run.id, step_key: key, minutes } };
    }
  }
}
