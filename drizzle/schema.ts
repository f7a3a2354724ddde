// The database schema: the single source of truth for every table.
// Migrations in migrations/ are generated from this file by drizzle-kit (`npm run db:generate`)
// and never edited after they land. Times are epoch milliseconds; JSON columns hold text.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { StepSpec } from '../src/domain/types.ts';

/** One execution of an SOP chain. `id` is the human run ID (`FEAT-3`). */
export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    chain: text('chain').notNull(),
    seq: integer('seq').notNull(),
    title: text('title').notNull(),
    requestText: text('request_text').notNull().default(''),
    requester: text('requester').notNull(),
    channelId: text('channel_id'),
    /** ts of the message whose thread holds the run (the root message, or the mention). */
    threadTs: text('thread_ts'),
    /** ts of the bot's root message, kept current with chat.update. */
    rootTs: text('root_ts'),
    source: text('source').notNull().default('api'),
    status: text('status').notNull(),
    severity: text('severity'),
    releaseType: text('release_type'),
    changeType: text('change_type'),
    auditType: text('audit_type'),
    flags: text('flags', { mode: 'json' }).$type<string[]>().notNull(),
    projects: text('projects', { mode: 'json' }).$type<string[]>().notNull(),
    /** Anything else the playbook recorded on the run (e.g. user data exposed, GDPR clock). */
    context: text('context', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    blockedReason: text('blocked_reason'),
    version: integer('version').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    closedAt: integer('closed_at'),
  },
  (t) => [
    index('runs_open_by_channel').on(t.channelId, t.status),
    index('runs_closed_at').on(t.closedAt),
    index('runs_status_created').on(t.status, t.createdAt),
    uniqueIndex('runs_chain_seq').on(t.chain, t.seq),
  ],
);

/** The steps of a run, in playbook order, resolved at start (owners, skips, notes). */
export const steps = sqliteTable(
  'steps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id),
    idx: integer('idx').notNull(),
    key: text('key').notNull(),
    title: text('title').notNull(),
    /** Roles that deliver the step, in parallel. */
    owners: text('owners', { mode: 'json' }).$type<string[]>().notNull(),
    /** Roles that confirm after every owner delivered (e.g. Go/No-Go: Atlas → Ghabs). */
    approvers: text('approvers', { mode: 'json' }).$type<string[]>().notNull(),
    /** Roles told at handoff without having to act (coordinators, notifications). */
    watchers: text('watchers', { mode: 'json' }).$type<string[]>().notNull(),
    /** Who may act, by role: user IDs and user-group IDs snapshotted at handoff. */
    assignees: text('assignees', { mode: 'json' }).$type<Record<string, string[]>>().notNull(),
    /** Per-role deliveries of a parallel step: role → { by, output, at }. */
    deliveries: text('deliveries', { mode: 'json' })
      .$type<Record<string, { by: string; output: string | null; at: number }>>()
      .notNull(),
    /** What the plan fixed at start: expected output, gate, collected facts, skip rights. */
    spec: text('spec', { mode: 'json' }).$type<StepSpec>().notNull(),
    status: text('status').notNull(),
    output: text('output'),
    notes: text('notes', { mode: 'json' }).$type<string[]>().notNull(),
    skipReason: text('skip_reason'),
    blockReason: text('block_reason'),
    blockedBy: text('blocked_by'),
    blockedByRole: text('blocked_by_role'),
    version: integer('version').notNull().default(0),
    startedAt: integer('started_at'),
    acknowledgedAt: integer('acknowledged_at'),
    completedAt: integer('completed_at'),
  },
  (t) => [uniqueIndex('steps_run_idx').on(t.runId, t.idx), index('steps_status').on(t.status)],
);

/** Who may act on an active step, one row per user or group: "steps waiting on me". */
export const stepAssignees = sqliteTable(
  'step_assignees',
  {
    stepId: integer('step_id')
      .notNull()
      .references(() => steps.id),
    runId: text('run_id').notNull(),
    principal: text('principal').notNull(),
    role: text('role').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.stepId, t.principal, t.role] }),
    index('step_assignees_principal').on(t.principal),
  ],
);

/** Append-only audit log and timeline. Triggers in a migration refuse UPDATE and DELETE. */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id'),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    type: text('type').notNull(),
    stepKey: text('step_key'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('events_run').on(t.runId, t.id), index('events_at').on(t.at)],
);

/** Monotonic counters, e.g. the run number per chain prefix. */
export const sequences = sqliteTable('sequences', {
  name: text('name').primaryKey(),
  value: integer('value').notNull(),
});

/** Current holders of each role: Slack users (`U…`) and user groups (`S…`). */
export const roleHolders = sqliteTable('role_holders', {
  role: text('role').primaryKey(),
  members: text('members', { mode: 'json' }).$type<string[]>().notNull(),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

/** Cached members of Slack user groups, refreshed by the Slack adapter. */
export const usergroupMembers = sqliteTable('usergroup_members', {
  groupId: text('group_id').primaryKey(),
  members: text('members', { mode: 'json' }).$type<string[]>().notNull(),
  refreshedAt: integer('refreshed_at').notNull(),
});

/** Messages owed to Slack because state changed, written in the same transaction. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id'),
    /** post | update_root | ephemeral | dm */
    kind: text('kind').notNull(),
    channelId: text('channel_id'),
    /** Post in the run's thread (resolved when sent, once the root message exists). */
    inThread: integer('in_thread', { mode: 'boolean' }).notNull().default(false),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    claimedBy: text('claimed_by'),
    claimedUntil: integer('claimed_until'),
    lastError: text('last_error'),
    resultTs: text('result_ts'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    /**
     * A post of this row may have reached Slack without its answer (set before each post, kept
     * on a timeout, a reset or a 5xx): look for it in Slack before posting again.
     */
    maybeSent: integer('maybe_sent', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('outbox_pending').on(t.status, t.nextAttemptAt),
    index('outbox_run').on(t.runId),
    index('outbox_lane').on(t.channelId, t.status, t.nextAttemptAt),
    // A run's root update still waiting to go, found at once: a newer one is folded into it.
    index('outbox_waiting_root_update')
      .on(t.runId)
      .where(sql`${t.kind} = 'root_update' AND ${t.status} = 'pending'`),
  ],
);

/** Durable deadlines: reminders, escalations, GDPR clock. Fired once by compare-and-set. */
export const timers = sqliteTable(
  'timers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id').notNull(),
    stepId: integer('step_id'),
    kind: text('kind').notNull(),
    dueAt: integer('due_at').notNull(),
    status: text('status').notNull().default('pending'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    claimedBy: text('claimed_by'),
    firedAt: integer('fired_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('timers_due').on(t.status, t.dueAt),
    index('timers_step').on(t.stepId),
    index('timers_run').on(t.runId),
  ],
);

/** One row per digest period posted (or being posted): at most once per period. */
export const digests = sqliteTable('digests', {
  periodKey: text('period_key').primaryKey(),
  kind: text('kind').notNull(),
  claimedBy: text('claimed_by').notNull(),
  claimedAt: integer('claimed_at').notNull(),
  postedAt: integer('posted_at'),
  outboxId: integer('outbox_id'),
});

/** Slack deliveries already handled (event_id, channel+ts, view submissions). */
export const idempotencyKeys = sqliteTable('idempotency_keys', {
  key: text('key').primaryKey(),
  runId: text('run_id'),
  createdAt: integer('created_at').notNull(),
});

/** Requests the classifier was unsure of, waiting for the requester to pick a chain. */
export const pendingRequests = sqliteTable('pending_requests', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  text: text('text').notNull(),
  requester: text('requester').notNull(),
  channelId: text('channel_id'),
  threadTs: text('thread_ts'),
  source: text('source').notNull(),
  classification: text('classification', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer('created_at').notNull(),
  resolvedRunId: text('resolved_run_id'),
});

/** Chains chosen by requesters over the classifier's pick; later similar requests follow them. */
export const classifierCorrections = sqliteTable(
  'classifier_corrections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    text: text('text').notNull(),
    chain: text('chain').notNull(),
    predicted: text('predicted'),
    actor: text('actor'),
    createdAt: integer('created_at').notNull().default(sql`0`),
  },
  (t) => [index('classifier_corrections_created').on(t.createdAt)],
);

/**
 * Settings the bot records about itself, one value per key: `installed_at` (epoch ms of the
 * first start; digests never post for a period that began before it) and `workspace_url`
 * (from auth.test; the base of permalinks).
 */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Monitoring alerts, one row per problem (a source and its dedup key) and incident: the run it
 * opened, how often it was received, whether it fired or resolved last, the latest alert as
 * read (src/alerts/alert.ts), and when a line was last said in the thread (at most every few
 * minutes). An alert firing again after its run closed gets a new row and a new run.
 */
export const alertGroups = sqliteTable(
  'alert_groups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    source: text('source').notNull(),
    dedupKey: text('dedup_key').notNull(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id),
    status: text('status', { enum: ['firing', 'resolved'] }).notNull(),
    received: integer('received').notNull(),
    firing: integer('firing').notNull(),
    firstAt: integer('first_at').notNull(),
    lastAt: integer('last_at').notNull(),
    resolvedAt: integer('resolved_at'),
    lastLineAt: integer('last_line_at'),
    latest: text('latest', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('alert_groups_key').on(t.source, t.dedupKey, t.id), index('alert_groups_run').on(t.runId)],
);

/**
 * Bearer tokens of the HTTP API and the MCP server. Only a SHA-256 hash of each token is kept;
 * a token acts as its Slack user (`user_id`). `kind`: `user` (acts as the user) or `alerts`
 * (may only post monitoring alerts). Revoked tokens stay, so their name keeps meaning one token.
 */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id'),
    kind: text('kind').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash), index('api_tokens_name').on(t.name)],
);

/**
 * Answers given to API POSTs carrying an `Idempotency-Key`, per token: the same key again gets
 * the same answer. A row without `status` is a request still being handled.
 */
export const apiRequests = sqliteTable(
  'api_requests',
  {
    tokenId: integer('token_id').notNull(),
    key: text('key').notNull(),
    /** The method, path and a hash of the body: a key reused for another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    status: integer('status'),
    body: text('body', { mode: 'json' }).$type<unknown>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.key] }), index('api_requests_created').on(t.createdAt)],
);

/**
 * Webhook subscriptions: where events go (`url`), signed with `secret` (`whsec_…`). `user_id`:
 * only events about that user's steps; null: every event. `owner` is told in Slack when the
 * subscription is paused (it kept failing).
 */
export const webhookSubscriptions = sqliteTable('webhook_subscriptions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  userId: text('user_id'),
  owner: text('owner'),
  status: text('status').notNull(),
  createdAt: integer('created_at').notNull(),
  pausedAt: integer('paused_at'),
  lastError: text('last_error'),
});
