// When Slack refuses a run's message, people hear of it and the run records it. Slack refusing for
// want of the bot in the channel (`not_in_channel`, `channel_not_found`) holds the run's messages
// there (the requester is told how to invite the bot) until the bot joins; any other permanent
// refusal fails the row for good, with a `delivery_failed` event, and a person is told by DM: the
// requester, and the owners of a step whose handoff it was. Written in the transaction that holds
// or fails the row.
import type { DeliveryProblemNotice } from '../../domain/notices.ts';
import type { Run, RunEvent } from '../../domain/types.ts';
import type { LogFields } from '../../outbox/channel.ts';
import type { OutboxRow, Repositories } from '../../persistence/ports.ts';

/** Slack takes a slash command's response_url for 30 minutes. */
export const RESPONSE_URL_TTL_MS = 30 * 60_000;

const isUser = (principal: string) => /^[UW][A-Z0-9]+$/.test(principal);

/** The notice's step, when it has one. */
function stepOf(row: OutboxRow): { stepKey: string | null; stepTitle: string | null } {
  const n = row.notice as { stepKey?: unknown; stepTitle?: unknown };
  return {
    stepKey: typeof n.stepKey === 'string' ? n.stepKey : null,
    stepTitle: typeof n.stepTitle === 'string' ? n.stepTitle : null,
  };
}

/**
 * Who is told that Slack refused a run's message, by DM: the requester (once per run and error,
 * and never for the messages that only failed because the first one did), and the people a
 * refused handoff was for. A run requested by the system tells its active step's assignees
 * instead of a requester.
 */
async function tellPeople(
  repos: Repositories,
  row: OutboxRow,
  run: Run,
  error: string,
  held: boolean,
  now: number,
): Promise<number> {
  const step = stepOf(row);
  // A message that failed only because the run's first one did: say why that one failed.
  const cascade = error === 'root_message_not_posted';
  const root = cascade
    ? (await repos.outbox.list({ runId: run.id })).find((r) => r.delivery.kind === 'root')
    : undefined;
  // A refused DM: its user is not told again by DM (that is what failed).
  const toUser = row.delivery.kind === 'dm' ? row.delivery.userId : undefined;
  const base = {
    type: 'delivery_problem' as const,
    runId: run.id,
    runTitle: run.title,
    channelId: toUser ? null : run.channelId,
    error: root?.lastError?.replace(/ \(.*$/, '') ?? error,
    held,
    failed: { notice: row.notice.type, ...step, ...(toUser ? { toUser } : {}) },
  };
  const notices: { userId: string; notice: DeliveryProblemNotice }[] = [];
  const mentioned = new Set<string>();
  if (row.notice.type === 'handoff') {
    for (const m of row.notice.mentions)
      for (const p of m.principals) if (isUser(p) && p !== toUser) mentioned.add(p);
    for (const userId of mentioned) notices.push({ userId, notice: { ...base, audience: 'owner' } });
  }
  const earlier = (await repos.events.forRun(run.id)).some(
    (e) => (e.type === 'delivery_failed' || e.type === 'delivery_held') && e.data.error === error,
  );
  if (!cascade && !earlier) {
    const ctx = run.context as { responseUrl?: unknown; responseUrlAt?: unknown };
    const responseUrl = typeof ctx.responseUrl === 'string' ? ctx.responseUrl : undefined;
    const at = typeof ctx.responseUrlAt === 'number' ? ctx.responseUrlAt : run.createdAt;
    const requesters = isUser(run.requester)
      ? [run.requester]
      : run.steps
          .filter((s) => s.status === 'active')
          .flatMap((s) => Object.values(s.assignees).flat())
          .filter(isUser);
    for (const userId of new Set(requesters)) {
      if (mentioned.has(userId) || userId === toUser) continue;
      const direct = userId === run.requester && responseUrl !== undefined;
      notices.push({
        userId,
        notice: {
          ...base,
          audience: 'requester',
          ...(direct ? { responseUrl, responseUrlUntil: at + RESPONSE_URL_TTL_MS } : {}),
        },
      });
    }
  }
  // Not the run's own messages: they never wait for its thread, and a refused one tells no one.
  await repos.outbox.enqueue(
    notices.map((n) => ({ runId: null, delivery: { kind: 'dm', userId: n.userId }, notice: n.notice })),
    now,
  );
  return notices.length;
}

/** The run's event saying Slack refused one of its messages (`delivery_failed`, `delivery_held`). */
function refusal(
  row: OutboxRow,
  type: 'delivery_failed' | 'delivery_held',
  now: number,
  data: Record<string, unknown>,
): RunEvent {
  const base = { outboxId: row.id, delivery: row.delivery.kind, notice: row.notice.type };
  return {
    runId: row.runId,
    at: now,
    actor: 'system',
    type,
    stepKey: stepOf(row).stepKey,
    data: { ...base, ...data },
  };
}

/** Failed for good (`error` may end in a parenthesised detail): the run records it, people hear it. */
export async function recordFailure(
  repos: Repositories,
  row: OutboxRow,
  failure: { error: string; attempts: number },
  now: number,
): Promise<LogFields> {
  const { error, attempts } = failure;
  const run = row.runId ? await repos.runs.get(row.runId) : null;
  const code = error.replace(/ \(.*$/, '');
  const people = run ? await tellPeople(repos, row, run, code, false, now) : 0;
  await repos.events.append([
    refusal(row, 'delivery_failed', now, {
      error: code,
      ...(code !== error ? { detail: error } : {}),
      attempts,
      told: people,
    }),
  ]);
  return { told: people };
}

/** The first held message of a run: the run records it, and the requester hears how to invite the bot. */
export async function recordHeld(
  repos: Repositories,
  row: OutboxRow,
  error: string,
  now: number,
): Promise<LogFields> {
  const run = row.runId ? await repos.runs.get(row.runId) : null;
  const people = run ? await tellPeople(repos, row, run, error, true, now) : 0;
  await repos.events.append([
    refusal(row, 'delivery_held', now, { error, channelId: run?.channelId ?? null, told: people }),
  ]);
  return { told: people };
}
