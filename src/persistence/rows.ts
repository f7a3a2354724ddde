// Mapping between the tables' rows and the port's types, the same for every dialect: the
// SQLite and PostgreSQL schemas define the same columns under the same names (a test checks),
// so a row of either has this shape.
import type * as t from '../../drizzle/schema.ts';
import {
  type Delivery,
  type DeliveryProblem,
  type Notice,
  parseWebhookLane,
  webhookLane,
} from '../domain/notices.ts';
import type { Run, Step } from '../domain/types.ts';
import {
  type ApiToken,
  type ApiTokenKind,
  NO_CHANNEL,
  type OutboxRow,
  type StepStatsRow,
  type TimerRow,
  type WebhookSubscription,
} from './ports.ts';

/** Step and run statuses that are still open. */
export const OPEN = ['active', 'blocked'];

type RunRow = typeof t.runs.$inferSelect;
type StepRow = typeof t.steps.$inferSelect;
type OutboxDbRow = typeof t.outbox.$inferSelect;
type TimerDbRow = typeof t.timers.$inferSelect;

// Rows and domain objects share their field names (the schema is written after the model), so
// mapping is dropping the link column and narrowing the text columns' types.
export function toStep({ runId: _runId, ...step }: StepRow): Step {
  return step as Step;
}

export function toRun(r: RunRow, steps: Step[]): Run {
  return { ...(r as Omit<Run, 'steps'>), steps };
}

export function stepValues(runId: string, { id: _id, ...step }: Step) {
  return { ...step, runId };
}

export function runValues({ steps: _steps, ...run }: Run) {
  return run;
}

/**
 * Where a run's root message is: written at insert and by `setRootMessage` (the outbox, once the
 * root is posted), never by a transition's save, which could carry the values it loaded before
 * the root was posted and undo them.
 */
export const ROOT_MESSAGE_FIELDS = ['channelId', 'rootTs', 'threadTs'] as const;

/** The run's columns a transition's save writes (all but its key, version and root message). */
export function savedRunValues(run: Run) {
  const { version: _v, channelId: _c, rootTs: _r, threadTs: _t, ...values } = runValues(run);
  return values;
}

/** `patchContext`'s key, a plain name on every backend (SQLite puts it into a JSON path). */
export function plainContextKey(key: string): void {
  if (!/^[A-Za-z_]\w*$/.test(key)) throw new Error(`patchContext: "${key}" is not a plain key`);
}

/**
 * The destination a message is stored under (`outbox.channel_id`): a DM's user, a channel post's
 * channel, a webhook's subscription and run; null for a run's own message, which takes its
 * run's channel.
 */
export function storedDestination(d: Delivery): string | null {
  if (d.kind === 'dm') return d.userId;
  if (d.kind === 'channel') return d.channelId;
  if (d.kind === 'webhook') return webhookLane(d.subscriptionId, d.runId);
  return null;
}

/** Who may act on an active step: one row per principal and role (the "waiting on me" index). */
export function assigneeRows(runId: string, s: Step) {
  if (s.id === null || (s.status !== 'active' && s.status !== 'blocked')) return [];
  const rows: { stepId: number; runId: string; principal: string; role: string }[] = [];
  for (const role of [...s.owners, ...s.approvers]) {
    for (const principal of s.assignees[role] ?? []) rows.push({ stepId: s.id, runId, principal, role });
  }
  return rows;
}

export const toTimer = (r: TimerDbRow): TimerRow => ({
  id: r.id,
  runId: r.runId,
  stepId: r.stepId,
  kind: r.kind,
  dueAt: r.dueAt,
  status: r.status as TimerRow['status'],
  data: r.data,
  firedAt: r.firedAt,
  createdAt: r.createdAt,
});

function deliveryOf(r: OutboxDbRow): Delivery {
  switch (r.kind) {
    case 'dm':
      return { kind: 'dm', userId: r.channelId! };
    case 'channel':
      return { kind: 'channel', channelId: r.channelId! };
    case 'root':
      return { kind: 'root' };
    case 'root_update':
      return { kind: 'root_update' };
    case 'webhook': {
      const lane = parseWebhookLane(r.channelId ?? '');
      return { kind: 'webhook', subscriptionId: lane?.subscriptionId ?? 0, runId: lane?.runId ?? null };
    }
    default:
      return { kind: 'thread' };
  }
}

export function toOutboxRow(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id,
    runId: r.runId,
    delivery: deliveryOf(r),
    notice: r.payload as unknown as Notice,
    attempts: r.attempts,
    status: r.status as OutboxRow['status'],
    lastError: r.lastError,
    resultTs: r.resultTs,
    createdAt: r.createdAt,
    sentAt: r.sentAt,
    maybeSent: r.maybeSent,
  };
}

/** Held and failed outbox rows (oldest first) summed up per run. */
export function deliveryProblemsOf(
  rows: Pick<OutboxDbRow, 'runId' | 'channelId' | 'kind' | 'status' | 'lastError' | 'createdAt'>[],
): DeliveryProblem[] {
  const byRun = new Map<string, DeliveryProblem>();
  for (const r of rows) {
    // A run started without a channel has nowhere to post: not Slack refusing anything.
    if (r.status === 'failed' && r.lastError === NO_CHANNEL) continue;
    const p = byRun.get(r.runId!) ?? {
      runId: r.runId!,
      channelId: null,
      held: 0,
      failed: 0,
      errors: [],
      since: r.createdAt,
    };
    if (r.kind !== 'dm' && r.kind !== 'channel' && r.channelId) p.channelId = r.channelId;
    if (r.status === 'held') p.held++;
    else p.failed++;
    const error = (r.lastError ?? 'unknown_error').replace(/ \(.*$/, '');
    if (!p.errors.includes(error)) p.errors.push(error);
    byRun.set(r.runId!, p);
  }
  return [...byRun.values()];
}

type StepCount = { chain: string; key: string; n: number };

/** Per chain and step: the waits, blocks and escalations counted apart, in one row each. */
export function stepStatsRows(
  waits: (StepCount & { ms: number })[],
  blocks: StepCount[],
  escalations: StepCount[],
  titles: { chain: string; key: string; title: string }[],
): StepStatsRow[] {
  const rows = new Map<string, StepStatsRow>();
  const row = (chain: string, key: string) => {
    const id = `${chain}\u0000${key}`;
    let r = rows.get(id);
    if (!r) {
      r = { chain, stepKey: key, stepTitle: key, done: 0, avgWaitMs: null, blocked: 0, escalated: 0 };
      rows.set(id, r);
    }
    return r;
  };
  for (const w of waits) Object.assign(row(w.chain, w.key), { done: w.n, avgWaitMs: w.ms });
  for (const b of blocks) row(b.chain, b.key).blocked = b.n;
  for (const e of escalations) row(e.chain, e.key).escalated = e.n;
  const titleOf = new Map(titles.map((t) => [`${t.chain}\u0000${t.key}`, t.title]));
  for (const [id, r] of rows) r.stepTitle = titleOf.get(id) ?? r.stepKey;
  return [...rows.values()];
}

export const toToken = (r: typeof t.apiTokens.$inferSelect): ApiToken => ({
  id: r.id,
  name: r.name,
  userId: r.userId,
  kind: r.kind as ApiTokenKind,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
});

export const toSubscription = (r: typeof t.webhookSubscriptions.$inferSelect): WebhookSubscription => ({
  id: r.id,
  url: r.url,
  secret: r.secret,
  userId: r.userId,
  owner: r.owner,
  status: r.status === 'paused' ? 'paused' : 'active',
  createdAt: r.createdAt,
  pausedAt: r.pausedAt,
  lastError: r.lastError,
});
