// The PostgreSQL schema: the same tables, columns and indexes as the SQLite one (schema.ts),
// in PostgreSQL's types. drizzle keeps one schema per dialect; test/persistence/schema-parity
// checks the two agree. Migrations in migrations-pg/ are generated from this file by
// drizzle-kit (`npm run db:generate`) and never edited after they land.
// Times are epoch milliseconds in `bigint` (read back as numbers); JSON is `jsonb`.
import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { StepSpec } from '../src/domain/types.ts';
import { count, jsonb, ms, serialId } from './pg-columns.ts';

/** One execution of an SOP chain. `id` is the human run ID (`FEAT-3`). */
export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    chain: text('chain').notNull(),
    seq: count('seq').notNull(),
    title: text('title').notNull(),
    requestText: text('request_text').notNull().default(''),
    requester: text('requester').notNull(),
    channelId: text('channel_id'),
    threadTs: text('thread_ts'),
    rootTs: text('root_ts'),
    source: text('source').notNull().default('api'),
    status: text('status').notNull(),
    severity: text('severity'),
    releaseType: text('release_type'),
    changeType: text('change_type'),
    auditType: text('audit_type'),
    flags: jsonb<string[]>('flags').notNull(),
    projects: jsonb<string[]>('projects').notNull(),
    context: jsonb<Record<string, unknown>>('context').notNull(),
    blockedReason: text('blocked_reason'),
    version: count('version').notNull().default(0),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    closedAt: ms('closed_at'),
  },
  (t) => [
    index('runs_open_by_channel').on(t.channelId, t.status),
    index('runs_closed_at').on(t.closedAt),
    index('runs_status_created').on(t.status, t.createdAt),
    uniqueIndex('runs_chain_seq').on(t.chain, t.seq),
  ],
);

/** The steps of a run, in playbook order, resolved at start (owners, skips, notes). */
export const steps = pgTable(
  'steps',
  {
    id: serialId('id'),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id),
    idx: count('idx').notNull(),
    key: text('key').notNull(),
    title: text('title').notNull(),
    owners: jsonb<string[]>('owners').notNull(),
    approvers: jsonb<string[]>('approvers').notNull(),
    watchers: jsonb<string[]>('watchers').notNull(),
    assignees: jsonb<Record<string, string[]>>('assignees').notNull(),
    deliveries:
      jsonb<Record<string, { by: string; output: string | null; at: number }>>('deliveries').notNull(),
    spec: jsonb<StepSpec>('spec').notNull(),
    status: text('status').notNull(),
    output: text('output'),
    notes: jsonb<string[]>('notes').notNull(),
    skipReason: text('skip_reason'),
    blockReason: text('block_reason'),
    blockedBy: text('blocked_by'),
    blockedByRole: text('blocked_by_role'),
    version: count('version').notNull().default(0),
    startedAt: ms('started_at'),
    acknowledgedAt: ms('acknowledged_at'),
    completedAt: ms('completed_at'),
  },
  (t) => [uniqueIndex('steps_run_idx').on(t.runId, t.idx), index('steps_status').on(t.status)],
);

/** Who may act on an active step, one row per user or group: "steps waiting on me". */
export const stepAssignees = pgTable(
  'step_assignees',
  {
    stepId: count('step_id')
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

/** Append-only audit log and timeline. A trigger in a migration refuses UPDATE and DELETE. */
export const events = pgTable(
  'events',
  {
    id: serialId('id'),
    runId: text('run_id'),
    at: ms('at').notNull(),
    actor: text('actor').notNull(),
    type: text('type').notNull(),
    stepKey: text('step_key'),
    data: jsonb<Record<string, unknown>>('data').notNull(),
  },
  (t) => [index('events_run').on(t.runId, t.id), index('events_at').on(t.at)],
);

/** Monotonic counters, e.g. the run number per chain prefix. */
export const sequences = pgTable('sequences', {
  name: text('name').primaryKey(),
  value: count('value').notNull(),
});

/** Current holders of each role: Slack users (`U…`) and user groups (`S…`). */
export const roleHolders = pgTable('role_holders', {
  role: text('role').primaryKey(),
  members: jsonb<string[]>('members').notNull(),
  updatedAt: ms('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

/** Cached members of Slack user groups, refreshed by the Slack adapter. */
export const usergroupMembers = pgTable('usergroup_members', {
  groupId: text('group_id').primaryKey(),
  members: jsonb<string[]>('members').notNull(),
  refreshedAt: ms('refreshed_at').notNull(),
});

/** Messages owed to Slack because state changed, written in the same transaction. */
export const outbox = pgTable(
  'outbox',
  {
    id: serialId('id'),
    runId: text('run_id'),
    kind: text('kind').notNull(),
    channelId: text('channel_id'),
    inThread: boolean('in_thread').notNull().default(false),
    payload: jsonb<Record<string, unknown>>('payload').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: count('attempts').notNull().default(0),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    claimedBy: text('claimed_by'),
    claimedUntil: ms('claimed_until'),
    lastError: text('last_error'),
    resultTs: text('result_ts'),
    createdAt: ms('created_at').notNull(),
    sentAt: ms('sent_at'),
    maybeSent: boolean('maybe_sent').notNull().default(false),
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

/** Durable deadlines: reminders, escalations, GDPR clock. Fired once, claimed under a row lock. */
export const timers = pgTable(
  'timers',
  {
    id: serialId('id'),
    runId: text('run_id').notNull(),
    stepId: count('step_id'),
    kind: text('kind').notNull(),
    dueAt: ms('due_at').notNull(),
    status: text('status').notNull().default('pending'),
    data: jsonb<Record<string, unknown>>('data').notNull(),
    claimedBy: text('claimed_by'),
    firedAt: ms('fired_at'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [
    index('timers_due').on(t.status, t.dueAt),
    index('timers_step').on(t.stepId),
    index('timers_run').on(t.runId),
  ],
);

/** One row per digest period posted (or being posted): at most once per period. */
export const digests = pgTable('digests', {
  periodKey: text('period_key').primaryKey(),
  kind: text('kind').notNull(),
  claimedBy: text('claimed_by').notNull(),
  claimedAt: ms('claimed_at').notNull(),
  postedAt: ms('posted_at'),
  outboxId: count('outbox_id'),
});

/** Slack deliveries already handled (event_id, channel+ts, view submissions). */
export const idempotencyKeys = pgTable('idempotency_keys', {
  key: text('key').primaryKey(),
  runId: text('run_id'),
  createdAt: ms('created_at').notNull(),
});

/** Requests the classifier was unsure of, waiting for the requester to pick a chain. */
export const pendingRequests = pgTable('pending_requests', {
  id: serialId('id'),
  text: text('text').notNull(),
  requester: text('requester').notNull(),
  channelId: text('channel_id'),
  threadTs: text('thread_ts'),
  source: text('source').notNull(),
  classification: jsonb<Record<string, unknown>>('classification').notNull(),
  createdAt: ms('created_at').notNull(),
  resolvedRunId: text('resolved_run_id'),
});

/** Chains chosen by requesters over the classifier's pick; later similar requests follow them. */
export const classifierCorrections = pgTable(
  'classifier_corrections',
  {
    id: serialId('id'),
    text: text('text').notNull(),
    chain: text('chain').notNull(),
    predicted: text('predicted'),
    actor: text('actor'),
    createdAt: ms('created_at').notNull().default(sql`0`),
  },
  (t) => [index('classifier_corrections_created').on(t.createdAt)],
);

/** Settings the bot records about itself, one value per key (see schema.ts). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

/** Monitoring alerts, one row per problem and incident (see schema.ts). */
export const alertGroups = pgTable(
  'alert_groups',
  {
    id: serialId('id'),
    source: text('source').notNull(),
    dedupKey: text('dedup_key').notNull(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id),
    status: text('status', { enum: ['firing', 'resolved'] }).notNull(),
    received: count('received').notNull(),
    firing: count('firing').notNull(),
    firstAt: ms('first_at').notNull(),
    lastAt: ms('last_at').notNull(),
    resolvedAt: ms('resolved_at'),
    lastLineAt: ms('last_line_at'),
    latest: jsonb<Record<string, unknown>>('latest').notNull(),
  },
  (t) => [index('alert_groups_key').on(t.source, t.dedupKey, t.id), index('alert_groups_run').on(t.runId)],
);

/** Bearer tokens of the HTTP API and the MCP server, kept as hashes (see schema.ts). */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: serialId('id'),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id'),
    kind: text('kind').notNull(),
    createdAt: ms('created_at').notNull(),
    lastUsedAt: ms('last_used_at'),
    revokedAt: ms('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash), index('api_tokens_name').on(t.name)],
);

/** The answers kept for `Idempotency-Key`s of the API (see schema.ts). */
export const apiRequests = pgTable(
  'api_requests',
  {
    tokenId: count('token_id').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    status: count('status'),
    body: jsonb<unknown>('body'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.key] }), index('api_requests_created').on(t.createdAt)],
);

/** Webhook subscriptions, active or paused (see schema.ts). */
export const webhookSubscriptions = pgTable('webhook_subscriptions', {
  id: serialId('id'),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  userId: text('user_id'),
  owner: text('owner'),
  status: text('status').notNull(),
  createdAt: ms('created_at').notNull(),
  pausedAt: ms('paused_at'),
  lastError: text('last_error'),
});
