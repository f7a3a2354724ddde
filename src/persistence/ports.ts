// The storage port: every repository the services use, the rows they read, and the `Store`
// that hands them out, in one transaction or for plain reads. Every method is async and no SQL
// dialect shows here: sqlite/ and postgres/ implement the same port.
import type { Delivery, DeliveryProblem, Notice } from '../domain/notices.ts';
import type { Run, RunEvent, RunStatus, Step } from '../domain/types.ts';

/** The error of an outbox row with nowhere to go (a run started without a channel). */
export const NO_CHANNEL = 'no_channel';

export interface RunFilter {
  /** These runs only (none: no run). */
  ids?: string[];
  status?: Run['status'][];
  open?: boolean;
  channelId?: string;
  chain?: string;
  /** Where the runs came from (`follow_up`, `alert`, …). */
  source?: string;
  closedFrom?: number;
  closedTo?: number;
  createdFrom?: number;
  limit?: number;
  newestFirst?: boolean;
}

export interface RunRepository {
  /** Next number for a run ID prefix (FEAT → 1, 2, …). */
  nextSeq(prefix: string): Promise<number>;
  insert(run: Run): Promise<void>;
  get(id: string): Promise<Run | null>;
  /** The run's status alone (no steps read), or null when there is no such run. */
  status(id: string): Promise<RunStatus | null>;
  /** The run's channel alone, or null when there is no such run or it has no channel yet. */
  channelOf(id: string): Promise<string | null>;
  /**
   * Save the run and the given steps if the run is still at `expectedVersion`; bumps the
   * version. `events`, the transition's, are appended with them (on a server database in the
   * same statement: one round trip).
   */
  save(run: Run, stepIdxs: Iterable<number>, expectedVersion: number, events?: RunEvent[]): Promise<void>;
  setRootMessage(id: string, channelId: string, rootTs: string, threadTs: string): Promise<void>;
  /**
   * A change to one object of the run's context and nothing else, without reading the run: the
   * `fields` (numbers, strings, arrays; never null) replace those of `context[key]` (`key` a
   * plain name: letters, digits and `_`, else it throws), the others
   * stay; `updatedAt` becomes `now`, the version moves on (a transition that read the run
   * before conflicts) and `events` are appended. False, and nothing written, when the run has
   * no such object (or there is no such run).
   */
  patchContext(
    id: string,
    key: string,
    fields: Record<string, unknown>,
    now: number,
    events: RunEvent[],
  ): Promise<boolean>;
  list(filter?: RunFilter): Promise<Run[]>;
  /** Active or blocked steps of open runs someone may act on, with their runs, for any of these principals. */
  waitingOn(principals: string[]): Promise<{ run: Run; step: Step }[]>;
  count(): Promise<number>;
}

export interface EventRepository {
  append(events: RunEvent[]): Promise<void>;
  forRun(runId: string): Promise<RunEvent[]>;
  forRuns(runIds: string[]): Promise<Map<string, RunEvent[]>>;
}

export interface OutboxRow {
  id: number;
  runId: string | null;
  delivery: Delivery;
  notice: Notice;
  /** Real attempts (a send, a failure, giving up), never a hand-back: see `handBack`. */
  attempts: number;
  /**
   * `held`: Slack cannot take it until the bot is in its channel (`not_in_channel`,
   * `channel_not_found`); it waits, unclaimed, for `releaseHeld`.
   */
  status: 'pending' | 'sent' | 'failed' | 'held';
  lastError: string | null;
  resultTs: string | null;
  createdAt: number;
  sentAt: number | null;
  /** A post may have reached Slack without its answer: look for it before posting again. */
  maybeSent: boolean;
}

export interface OutboxRepository {
  /**
   * Store messages owed, in order; resolves with the ids of the rows that carry them, oldest
   * first. A run's root update is rendered from the run when it is sent, so one already waiting
   * for that run (pending and not leased) takes the place of a new one: its id is among those
   * returned, and no row is added.
   */
  enqueue(
    items: { runId: string | null; delivery: Delivery; notice: Notice }[],
    now: number,
  ): Promise<number[]>;
  /**
   * Move a destination's due, unleased messages to the times it can take them: in order, the
   * first at `from` (or `intervalMs` after the last message already waiting for its turn, when
   * later), each next one `intervalMs` on. A destination far behind its pace so keeps its
   * backlog out of the due messages that every claim reads. Returns how many moved.
   */
  park(lane: string, from: number, intervalMs: number, now: number): Promise<number>;
  /**
   * Claim due messages (a lease): one worker sends each at a time. Up to `limit`, taken in turns
   * across destinations: every destination's oldest due message, then every one's second, and so
   * on (a message without a destination has a turn of its own). A destination far behind its
   * pace never crowds the others out of a claim. Returned oldest first.
   * `skipChannels`: destinations (channel or DM user) the caller cannot send to yet.
   */
  claimDue(
    now: number,
    limit: number,
    worker: string,
    leaseMs: number,
    skipChannels?: string[],
  ): Promise<OutboxRow[]>;
  /*
   * Settling a claimed row takes effect only while `worker` still holds it: it claimed the row
   * last and the row is pending. A sender whose lease ran out, and whose row another sender
   * claimed since, changes nothing; a sent or failed row stays so. Each resolves with whether it
   * took effect. All but `handBack` count one in `attempts`: a pending row's attempts are its
   * failures.
   */
  /** Sent, with its ts (or dropped: a newer root update of the run replaces it). */
  markSent(id: number, worker: string, resultTs: string | null, now: number): Promise<boolean>;
  /**
   * An attempt failed: released, due again at `nextAttemptAt`. Whether the post may have reached
   * Slack anyway (`maybeSent`) is kept as `markInFlight` left it.
   */
  retryLater(id: number, worker: string, nextAttemptAt: number, error: string): Promise<boolean>;
  /** Given up, or nowhere to deliver: failed for good. */
  markFailed(id: number, worker: string, error: string, now: number): Promise<boolean>;
  /**
   * Released unsent, due at `nextAttemptAt`, with `reason` as its last error; not an attempt
   * (it waits for an earlier message of its run, its channel's pace or a rate limit). `notPosted`:
   * Slack said it took nothing (a 429), so no earlier post needs looking for.
   */
  handBack(
    id: number,
    worker: string,
    nextAttemptAt: number,
    reason: string,
    notPosted?: boolean,
  ): Promise<boolean>;
  /** About to post: from now on the post may reach Slack unseen (`maybeSent`). False: not held. */
  markInFlight(id: number, worker: string): Promise<boolean>;
  /** Slack refused for want of the bot in the channel: held (an attempt) until `releaseHeld`. */
  hold(id: number, worker: string, reason: string): Promise<boolean>;
  /** The bot is in the channel now: its held rows are due again, in their order. */
  releaseHeld(channelId: string, now: number): Promise<{ count: number; runIds: string[] }>;
  /** Channels (run channels) with held rows. */
  heldChannels(): Promise<string[]>;
  /** True when an older row of the same lane (the stored destination) is still pending. */
  hasEarlierPendingInLane(channelId: string, id: number): Promise<boolean>;
  /** True when an older message of the run is still unsent (keeps a thread in order). */
  hasEarlierPending(runId: string, id: number): Promise<boolean>;
  /** Why an older message of the run (not a DM) is held, if one is: this one waits with it. */
  earlierHeld(runId: string, id: number): Promise<string | null>;
  /** Workers holding a lease on a pending row now. */
  leaseHolders(now: number): Promise<string[]>;
  /** The leases of these workers (found dead) end now: their rows are claimable at once. */
  releaseLeases(workers: string[], now: number): Promise<number>;
  /** Held and failed messages of runs (Slack refused them), per run; all runs when none given. */
  deliveryProblems(runIds?: string[]): Promise<DeliveryProblem[]>;
  /** A newer root update of the same run is waiting: this one can be dropped. */
  hasNewerRootUpdate(runId: string, id: number): Promise<boolean>;
  pendingCount(): Promise<number>;
  list(filter?: { status?: OutboxRow['status']; runId?: string }): Promise<OutboxRow[]>;
}

export interface RoleRepository {
  all(): Promise<Map<string, string[]>>;
  get(role: string): Promise<string[] | null>;
  set(role: string, members: string[], by: string, now: number): Promise<void>;
  /** Insert defaults for roles never set; leaves set roles alone. */
  seed(defaults: Map<string, string[]>, now: number): Promise<void>;
}

export interface UsergroupRepository {
  set(groupId: string, members: string[], now: number): Promise<void>;
  get(groupId: string): Promise<{ members: string[]; refreshedAt: number } | null>;
  /** Groups whose cached members include this user. */
  groupsOf(userId: string): Promise<string[]>;
}

export interface TimerRow {
  id: number;
  runId: string;
  stepId: number | null;
  kind: string;
  dueAt: number;
  status: 'pending' | 'fired' | 'cancelled';
  data: Record<string, unknown>;
  firedAt: number | null;
  createdAt: number;
}

/** A timer to schedule: a step's (or, with no step, the run's) deadline of some kind. */
export interface NewTimer {
  runId: string;
  stepId: number | null;
  kind: string;
  dueAt: number;
  data?: Record<string, unknown>;
}

export interface TimerRepository {
  schedule(items: NewTimer[], now: number): Promise<void>;
  /** Due pending timers (oldest first) — not yet claimed. */
  due(now: number, limit: number): Promise<TimerRow[]>;
  /** Compare-and-set pending → fired. True only for the one caller that wins. */
  claim(id: number, worker: string, now: number): Promise<boolean>;
  /** Cancels the pending timers of these steps (of these kinds only, when given). */
  cancelForSteps(stepIds: number[], kinds?: string[]): Promise<number>;
  cancelForRun(runId: string, exceptKinds?: string[]): Promise<number>;
  cancelKinds(runId: string, kinds: string[]): Promise<number>;
  forRun(runId: string): Promise<TimerRow[]>;
  /**
   * Each of these steps' latest due time among its timers of this kind that were not cancelled
   * (pending or fired); steps without one are left out.
   */
  latestDue(stepIds: number[], kind: string): Promise<Map<number, number>>;
  pendingForRuns(runIds: string[]): Promise<TimerRow[]>;
}

export interface DigestRepository {
  /** Claim a period (`daily:2026-11-20`): true for exactly one caller, ever. */
  claim(periodKey: string, kind: string, worker: string, now: number): Promise<boolean>;
  markPosted(periodKey: string, outboxId: number | null, now: number): Promise<void>;
  last(kind: string): Promise<{ periodKey: string; claimedAt: number; postedAt: number | null } | null>;
}

/** What claiming a delivery's keys found: the first claim, or the run an earlier one led to. */
export type IdempotencyClaim = { claimed: true } | { claimed: false; runId: string | null };

/**
 * The keys of Slack deliveries already handled (an event id, a message, a modal), each leading
 * to the run it started, or to none (a question asked instead).
 */
export interface IdempotencyRepository {
  /**
   * Claim a delivery's keys by inserting them first, so of two transactions claiming one key
   * only one ever wins, under any isolation. `claimed`: no key was known; all are recorded,
   * leading nowhere until `attach`. Otherwise `runId` is where a known key leads (null: nowhere),
   * and the delivery's new keys now lead there too. No keys: claimed. Call inside a transaction.
   */
  claim(keys: string[], now: number): Promise<IdempotencyClaim>;
  /** The run claimed keys led to, set on those leading nowhere yet. */
  attach(keys: string[], runId: string): Promise<void>;
  /** A known key among these and where it leads, or null; records nothing. */
  seen(keys: string[]): Promise<{ key: string; runId: string | null } | null>;
}

export interface PendingRequest {
  id: number;
  text: string;
  requester: string;
  channelId: string | null;
  threadTs: string | null;
  source: string;
  classification: Record<string, unknown>;
  createdAt: number;
  resolvedRunId: string | null;
}

export interface PendingRequestRepository {
  insert(p: Omit<PendingRequest, 'id' | 'resolvedRunId'>): Promise<number>;
  get(id: number): Promise<PendingRequest | null>;
  resolve(id: number, runId: string): Promise<boolean>;
}

export interface CorrectionRepository {
  insert(c: {
    text: string;
    chain: string;
    predicted: string | null;
    actor: string | null;
    createdAt: number;
  }): Promise<void>;
  all(): Promise<
    { text: string; chain: string; predicted: string | null; actor: string | null; createdAt: number }[]
  >;
}

/** What the bot records about itself (`installed_at`, `workspace_url`). */
export interface SettingsRepository {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, now: number): Promise<void>;
  /**
   * When this database was first used by the bot, recorded on first call: `now` for a fresh
   * database, or the earliest time an existing one shows activity (runs, events, digests), so an
   * upgrade keeps catching up what it missed.
   */
  installedAt(now: number): Promise<number>;
}

// ---- API tokens, API idempotency, webhook subscriptions -----------------------------------

/** What a token may do: act as its user, or only post monitoring alerts. */
export type ApiTokenKind = 'user' | 'alerts';

export interface ApiToken {
  id: number;
  name: string;
  /** The Slack user the token acts as (null for an alerts token). */
  userId: string | null;
  kind: ApiTokenKind;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface ApiTokenRepository {
  /** Store a new token by the hash of its secret; its id. */
  insert(
    t: { name: string; tokenHash: string; userId: string | null; kind: ApiTokenKind },
    now: number,
  ): Promise<number>;
  /** The token (not revoked) with this hash. */
  byHash(tokenHash: string): Promise<ApiToken | null>;
  /** Tokens not revoked, oldest first. */
  list(): Promise<ApiToken[]>;
  /** Revoke the live tokens of that name; how many. */
  revoke(name: string, now: number): Promise<number>;
  /** Record a use (at most one write a minute per token is enough for `tokens list`). */
  touch(id: number, now: number): Promise<void>;
}

/** An answer kept for an `Idempotency-Key`: null status while the first request is handled. */
export interface ApiRequestRecord {
  fingerprint: string;
  status: number | null;
  body: unknown;
  createdAt: number;
}

export interface ApiRequestRepository {
  /**
   * Claim a token's key for a request (first writer wins, under any isolation). Null when
   * claimed now; otherwise what the earlier request with that key left (maybe still running).
   */
  claim(tokenId: number, key: string, fingerprint: string, now: number): Promise<ApiRequestRecord | null>;
  /** The answer of a claimed key. */
  complete(tokenId: number, key: string, status: number, body: unknown): Promise<void>;
  /** Give a claim up (the request failed unexpectedly): the key may be used again. */
  release(tokenId: number, key: string): Promise<void>;
  /** Forget keys claimed before `before`; how many. */
  purge(before: number): Promise<number>;
}

export interface WebhookSubscription {
  id: number;
  url: string;
  secret: string;
  /** Only events about this user's steps; null: every event. */
  userId: string | null;
  /** Told in Slack when the subscription is paused. */
  owner: string | null;
  status: 'active' | 'paused';
  createdAt: number;
  pausedAt: number | null;
  lastError: string | null;
}

export interface WebhookRepository {
  insert(
    s: { url: string; secret: string; userId: string | null; owner: string | null },
    now: number,
  ): Promise<number>;
  get(id: number): Promise<WebhookSubscription | null>;
  list(): Promise<WebhookSubscription[]>;
  /** Active subscriptions only. */
  active(): Promise<WebhookSubscription[]>;
  remove(id: number): Promise<boolean>;
  /** Paused (it kept failing): true for the one caller that paused it. */
  pause(id: number, error: string, now: number): Promise<boolean>;
  resume(id: number): Promise<boolean>;
}

// ---- clock and report queries ---------------------------------------------------------------

/** The slice of a run and its current step a fired timer needs. */
export interface TimerRunView {
  run: Pick<
    Run,
    | 'id'
    | 'chain'
    | 'title'
    | 'status'
    | 'severity'
    | 'channelId'
    | 'threadTs'
    | 'rootTs'
    | 'context'
    | 'requester'
  >;
  steps: Map<
    number,
    Pick<
      Step,
      | 'id'
      | 'key'
      | 'title'
      | 'owners'
      | 'approvers'
      | 'assignees'
      | 'deliveries'
      | 'status'
      | 'acknowledgedAt'
      | 'startedAt'
      | 'blockReason'
    >
  >;
}

/** An open run's current step, as digests list it. */
export interface OpenStepRow {
  runId: string;
  chain: string;
  title: string;
  runStatus: Run['status'];
  severity: string | null;
  channelId: string | null;
  threadTs: string | null;
  rootTs: string | null;
  runCreatedAt: number;
  blockedReason: string | null;
  stepId: number;
  stepKey: string;
  stepTitle: string;
  stepStatus: Step['status'];
  owners: string[];
  approvers: string[];
  assignees: Record<string, string[]>;
  deliveries: Record<string, unknown>;
  startedAt: number | null;
  acknowledgedAt: number | null;
  blockReason: string | null;
  blockedBy: string | null;
  blockedByRole: string | null;
}

export interface ClosedRunRow {
  id: string;
  chain: string;
  title: string;
  status: Run['status'];
  severity: string | null;
  channelId: string | null;
  threadTs: string | null;
  rootTs: string | null;
  createdAt: number;
  closedAt: number;
}

/** Per chain and step: what made runs slow in a window (the metrics' "improvements needed"). */
export interface StepStatsRow {
  chain: string;
  stepKey: string;
  stepTitle: string;
  /** Steps done in the window, and their average handoff → done, ms. */
  done: number;
  avgWaitMs: number | null;
  /** Blocks and failed gates in the window. */
  blocked: number;
  /** Escalations sent in the window (timers that fired and were not skipped). */
  escalated: number;
}

/** Per chain: runs started in a window, and the 90th percentile of the done runs' durations. */
export interface ChainDetailRow {
  chain: string;
  started: number;
  p90DurationMs: number | null;
}

export interface ChainStatsRow {
  chain: string;
  /** Runs closed in the window. */
  closed: number;
  done: number;
  /** Average created → closed over the runs done, in ms (null when none). */
  avgDurationMs: number | null;
}

export interface GdprTimerRow {
  runId: string;
  title: string;
  runStatus: Run['status'];
  channelId: string | null;
  threadTs: string | null;
  rootTs: string | null;
  data: Record<string, unknown>;
  dueAt: number;
}

/**
 * The timer side of the clocks: batch claims for the scheduler, what fired timers need, snoozes,
 * and the open steps past their deadlines. Reached through the transaction's repositories, so a
 * claim rolls back with the transaction that made it.
 */
export interface ClockRepository {
  /**
   * Claim up to `limit` due pending timers in one compare-and-set (pending → fired): a timer a
   * concurrent worker already claimed is not returned. Call inside a transaction.
   */
  claimDueTimers(now: number, limit: number, worker: string): Promise<TimerRow[]>;
  /** Number of escalation timers already fired per step, leaving out the given timer ids. */
  firedCount(stepIds: number[], kinds: string[], excludeIds: number[]): Promise<Map<number, number>>;
  /** Runs (with the listed steps) for fired timers. */
  timerRuns(runIds: string[]): Promise<Map<string, TimerRunView>>;
  /** Move pending timers of a step (of these kinds) to `dueAt` when they are due earlier. */
  pushPending(stepId: number, kinds: string[], dueAt: number): Promise<number>;
  pendingForStep(stepId: number): Promise<TimerRow[]>;
  /**
   * Open steps with a timer of these kinds due at or before `now` and not cancelled, with the
   * earliest such time; `ackKinds` count only while the step is not acknowledged.
   */
  stepsPastTimers(kinds: string[], ackKinds: string[], now: number): Promise<Map<number, number>>;
  /** Pending run-level timers of this kind (the GDPR clocks still running). */
  runTimers(kind: string): Promise<GdprTimerRow[]>;
}

/** Aggregates for digests and metrics, computed by the database over every run. */
export interface ReportRepository {
  /** Every open run's current (active or blocked) step. */
  openSteps(): Promise<OpenStepRow[]>;
  /** Runs closed in [from, to), newest first; `status` filters. */
  closedRuns(from: number, to: number, status?: Run['status'][], limit?: number): Promise<ClosedRunRow[]>;
  countClosed(from: number, to: number, status?: Run['status'][]): Promise<number>;
  /** Per chain: runs closed in [from, to), how many done, average duration of those done. */
  chainStats(from: number | null, to: number | null): Promise<ChainStatsRow[]>;
  /** Open runs per chain. */
  openCounts(): Promise<Map<string, number>>;
  /** Per chain: runs started in [from, to), p90 start → close of the runs done then. */
  chainDetails(from: number | null, to: number | null): Promise<ChainDetailRow[]>;
  /** Runs done in [from, to): chain, close time and start → close, oldest first. */
  doneDurations(from: number, to: number): Promise<{ chain: string; closedAt: number; durationMs: number }[]>;
  /** Per chain and step: waits of the steps done, blocks and escalations in [from, to). */
  stepStats(from: number | null, to: number | null): Promise<StepStatsRow[]>;
  /** Average detect → service restored (the `stepKey` step done), per severity, in ms. */
  restoreTimes(
    chain: string,
    stepKey: string,
    severities: string[],
    from: number | null,
    to: number | null,
  ): Promise<Map<string, { count: number; avgMs: number }>>;
}

// ---- the store ---------------------------------------------------------------------------------

/** A monitoring alert's problem (a source and its dedup key) and the incident it opened. */
export interface AlertGroupRow {
  id: number;
  source: string;
  dedupKey: string;
  runId: string;
  status: 'firing' | 'resolved';
  /** Deliveries received (the first included). */
  received: number;
  /** Alerts firing in the latest delivery (an Alertmanager group counts its alerts). */
  firing: number;
  firstAt: number;
  lastAt: number;
  resolvedAt: number | null;
  /** When a line about it was last said in the run's thread. */
  lastLineAt: number | null;
  /** The latest alert as read (src/alerts/alert.ts). */
  latest: Record<string, unknown>;
}

export interface AlertRepository {
  /**
   * The newest row of this source and key, whatever its run's state. `lock`: held until the
   * transaction ends (on a server database, concurrent deliveries of one problem take turns).
   */
  latest(source: string, dedupKey: string, lock?: boolean): Promise<AlertGroupRow | null>;
  insert(row: Omit<AlertGroupRow, 'id'>): Promise<number>;
  update(
    id: number,
    patch: Partial<Omit<AlertGroupRow, 'id' | 'source' | 'dedupKey' | 'runId'>>,
  ): Promise<void>;
  forRun(runId: string): Promise<AlertGroupRow[]>;
}

export interface Repositories {
  runs: RunRepository;
  alerts: AlertRepository;
  events: EventRepository;
  outbox: OutboxRepository;
  roles: RoleRepository;
  usergroups: UsergroupRepository;
  timers: TimerRepository;
  digests: DigestRepository;
  idempotency: IdempotencyRepository;
  pending: PendingRequestRepository;
  corrections: CorrectionRepository;
  settings: SettingsRepository;
  clock: ClockRepository;
  reports: ReportRepository;
  apiTokens: ApiTokenRepository;
  apiRequests: ApiRequestRepository;
  webhooks: WebhookRepository;
}

/**
 * `store.transaction` called inside a transaction of the same store: it would wait for the
 * outer one to end, which waits for it. Pass the outer transaction's repositories down instead.
 */
export class NestedTransactionError extends Error {
  readonly code = 'nested_transaction';
  constructor() {
    super(
      'A store transaction was started inside another of the same store; use the repositories the outer transaction was given.',
    );
    this.name = 'NestedTransactionError';
  }
}

/**
 * Which outbox senders are alive, as a server database shared by several machines can tell:
 * a sender registers before it claims, and one whose process died is `gone` within seconds.
 */
export interface WorkerLiveness {
  register(workerId: string): Promise<void>;
  /** Of these senders, the ones surely gone (never one still registered). */
  gone(workerIds: string[]): Promise<string[]>;
}

export interface Store {
  /**
   * Run `fn` in one write transaction: all of it commits, or none of it. Never nested (it would
   * wait for the outer one, which waits for it): a store that checks (the tests' stores) rejects
   * a transaction started inside another with `NestedTransactionError`.
   */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  /**
   * Reads outside a transaction: they see what was committed, never the writes of a
   * transaction still open. (SQLite `:memory:`, one connection for all, is the exception.)
   * Writes go through `transaction`.
   */
  readonly read: Repositories;
  /** Senders' liveness across machines, where the database can tell (PostgreSQL); else none. */
  readonly liveness?: WorkerLiveness;
  /**
   * Call `listener` after each transaction of this process that wrote outbox rows commits (the
   * worker claims them at once rather than at its next poll). Returns the unsubscribe.
   */
  onOutboxWrite(listener: () => void): () => void;
  /** Where the data lives, for logs: a file path or `:memory:` (never a password). */
  readonly location: string;
  close(): Promise<void>;
}
