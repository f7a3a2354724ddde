// The run model shared by services, persistence and the Slack adapter. No I/O here.
import type { PlannedNotice } from '../../routing/plan.ts';
import type { Gate } from '../../routing/playbooks/schema.ts';
import type { Flag, ReleaseType, Severity } from '../../routing/vocabulary.ts';

export type { Flag, ReleaseType, Severity };

export const RUN_STATUSES = ['active', 'blocked', 'done', 'rejected', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const STEP_STATUSES = ['pending', 'active', 'done', 'skipped', 'blocked', 'rejected'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const CLOSED_RUN_STATUSES: readonly RunStatus[] = ['done', 'rejected', 'cancelled'];

export type RunSource =
  | 'slash'
  | 'mention'
  | 'shortcut'
  | 'api'
  | 'choice'
  | 'alert'
  | 'schedule'
  | 'link'
  | 'follow_up';

/** A run entered at a later step: the steps before it are recorded from the run named `from`. */
export interface RunEntry {
  stepKey: string;
  /** Outputs of recorded steps by key; the others say they were recorded from `from`. */
  recorded: Record<string, string | null>;
  from: string;
}

/** A request to start a run. */
export interface RunRequest {
  chain: string;
  title: string;
  text: string;
  requester: string;
  channelId?: string | null;
  threadTs?: string | null;
  source?: RunSource;
  flags?: Flag[];
  severity?: Severity | null;
  releaseType?: ReleaseType | null;
  changeType?: string | null;
  auditType?: string | null;
  projects?: string[];
  /** Extra facts to keep on the run (e.g. the permalink of a declared incident's message). */
  context?: Record<string, unknown>;
  /** Slack deliveries this start answers (event_id, channel+ts, view id): never two runs. */
  idempotencyKeys?: string[];
  /**
   * The thread of the message the run was declared from (the incident shortcut): once the run's
   * root message is posted, a reply there links to the run.
   */
  replyIn?: ReplyPlace | null;
  /** The API or MCP token (its name) the request came through: said in the thread and the log. */
  via?: string;
  /** Where the run starts when not at its first step (a linked run). */
  entry?: RunEntry;
}

export interface StepSpec {
  output: string | null;
  gate: Gate | null;
  collects: string[];
  required: boolean;
  manualSkip: boolean;
  /** One delivery by any owner completes the owners' part (absent: each owner delivers). */
  anyOwner?: boolean;
}

export interface StepDelivery {
  by: string;
  output: string | null;
  at: number;
}

export interface Step {
  id: number | null;
  idx: number;
  key: string;
  title: string;
  owners: string[];
  approvers: string[];
  watchers: string[];
  /** role → user and group IDs who may act for it, snapshotted at handoff. */
  assignees: Record<string, string[]>;
  deliveries: Record<string, StepDelivery>;
  spec: StepSpec;
  status: StepStatus;
  output: string | null;
  notes: string[];
  skipReason: string | null;
  blockReason: string | null;
  blockedBy: string | null;
  blockedByRole: string | null;
  version: number;
  startedAt: number | null;
  acknowledgedAt: number | null;
  completedAt: number | null;
}

/** Who is mentioned for a role: the role and the user/group IDs holding it at that moment. */
export interface RoleMention {
  role: string;
  principals: string[];
}

export interface RunContext {
  /** Lines describing the regime: severity row, release type row, change pattern. */
  summary?: string[];
  /** Notifications the playbook requires that are still due at a later handoff. */
  notices?: PlannedNotice[];
  /** Keys of notifications already sent. */
  noticesSent?: string[];
  [key: string]: unknown;
}

export interface Run {
  id: string;
  chain: string;
  seq: number;
  title: string;
  requestText: string;
  requester: string;
  channelId: string | null;
  threadTs: string | null;
  rootTs: string | null;
  source: string;
  status: RunStatus;
  severity: Severity | null;
  releaseType: ReleaseType | null;
  changeType: string | null;
  auditType: string | null;
  flags: Flag[];
  projects: string[];
  context: RunContext;
  blockedReason: string | null;
  version: number;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  steps: Step[];
}

export interface RunEvent {
  id?: number;
  runId: string | null;
  at: number;
  actor: string;
  type: string;
  stepKey: string | null;
  data: Record<string, unknown>;
}

/**
 * Where an actor came in: a person or bot user in Slack, a user behind an API token (the HTTP
 * API and MCP server), the operator's CLI, the bot itself.
 */
export type ActorKind = 'slack_user' | 'slack_bot' | 'api_user' | 'cli' | 'system';

/**
 * Who acts, built at the edge of the surface the request came through (src/slack/actor.ts,
 * the CLI) and handed to every verb: the user, the groups they belong to, admin or not.
 */
export interface Actor {
  kind: ActorKind;
  userId: string;
  /** The user ID and the IDs of user groups they belong to. */
  principals: string[];
  isAdmin: boolean;
  /** The roles held through any principal when the actor was built (for display and clients). */
  roles: string[];
  /** How the actor is named in logs and answers (a Slack name, `cli`). */
  label: string;
  /**
   * The delivery this action came in, when it must act once whichever process it reaches (a
   * mention in a run's thread, which Slack may deliver again to another process): its key is
   * claimed in the action's own transaction, and a second delivery does nothing.
   */
  once?: string;
}

export const SYSTEM_ACTOR = 'system';

/** A message's thread, outside the run's own: where a run declared from that message is linked. */
export interface ReplyPlace {
  channelId: string;
  threadTs: string;
}
