// What the bot owes Slack after a state change. Written to the outbox in the same transaction
// as the change and rendered by the Slack adapter when sent. No Slack types here. The union is
// closed: every surface renders each member (src/slack/render.ts has one builder per type).
import type { AlertNoticeFields } from './alert-context.ts';
import type { ClockNotice } from './clock-notices.ts';
import type { LinkRelation } from './links.ts';
import type { DigestChartNotice, DigestNotice } from './reports.ts';
import type { StepContext } from './step-context.ts';
import type { ReplyPlace, RoleMention } from './types.ts';
import type { WebhookNotice, WebhookPausedNotice } from './webhook-notices.ts';

export type { ReplyPlace };

interface RunNotice {
  runId: string;
  /** The API or MCP token (its name) the actor acted through: said with the message. */
  via?: string;
  /**
   * Users named in plain text, never mentioned: the bot user whose message caused the notice
   * (two apps must not ping each other). Handoffs never carry it: they mention their owners.
   */
  quiet?: QuietName[];
}

export interface QuietName {
  userId: string;
  name: string;
}

export type Notice =
  /** Post the run's root message (its ts becomes the run's thread). */
  | (RunNotice & { type: 'run_started' })
  /** Bring the root message up to date (rendered from the run's state when sent). */
  | (RunNotice & { type: 'root_update' })
  | (RunNotice & {
      type: 'handoff';
      stepKey: string;
      stepTitle: string;
      position: number;
      total: number;
      /** Who must act now (owners, or the approvers once the owners delivered). */
      mentions: RoleMention[];
      /** Told without having to act (coordinators). */
      watchers: RoleMention[];
      phase: 'owners' | 'approval' | 'reassigned';
      output: string | null;
      gate: { check: string; canBlock: boolean; canReject: boolean } | null;
      notes: string[];
      /** Roles nobody holds: an admin must set them. */
      unheld: string[];
      canSkip: boolean;
      /** Everything the step's owner needs (run-service computes it in the handoff's transaction). */
      context?: StepContext;
    })
  /** A notification the playbook requires: in the thread, and to each person directly. */
  | (RunNotice & { type: 'notify'; mentions: RoleMention[]; reason: string; direct: boolean })
  | (RunNotice & {
      type: 'delivered';
      stepKey: string;
      stepTitle: string;
      by: string;
      role: string;
      output: string | null;
      waitingOn: string[];
    })
  | (RunNotice & {
      type: 'step_done';
      stepKey: string;
      stepTitle: string;
      by: string;
      output: string | null;
      gatePassed: string | null;
    })
  | (RunNotice & {
      type: 'blocked';
      stepKey: string;
      stepTitle: string;
      by: string;
      role: string | null;
      reason: string;
      /** The gate's check, when the block says it failed. */
      gateFailed: string | null;
      /** The gate's check, when the step waits on something and the gate is not judged yet. */
      gatePending?: string | null;
      /** Who may lift it, in words ("only @Privacy, or @Ghabs accepting the risk"). */
      liftedBy: string;
    })
  | (RunNotice & {
      type: 'unblocked';
      stepKey: string;
      stepTitle: string;
      by: string;
      rationale: string | null;
      riskAccepted: boolean;
    })
  | (RunNotice & { type: 'rejected'; stepKey: string; stepTitle: string; by: string; reason: string })
  /** An agent passed or rejected a gate that needs a person: the confirmers are asked. */
  | (RunNotice & {
      type: 'agent_decision';
      stepKey: string;
      stepTitle: string;
      by: string;
      byName: string;
      role: string;
      decision: 'pass' | 'reject';
      /** The agent's output (a pass) or reason (a rejection). */
      said: string | null;
      gate: string;
      confirmers: RoleMention[];
    })
  | (RunNotice & {
      type: 'reassigned';
      stepKey: string;
      stepTitle: string;
      by: string;
      role: string;
      from: string[];
      to: string[];
    })
  | (RunNotice & { type: 'skipped'; stepKey: string; stepTitle: string; by: string; reason: string })
  | (RunNotice & { type: 'cancelled'; by: string; reason: string | null })
  | (RunNotice & { type: 'completed'; durationMs: number })
  | (RunNotice & {
      type: 'context_changed';
      by: string;
      changes: Record<string, { from: unknown; to: unknown }>;
    })
  /** Clocks: reminders, escalations and the GDPR clock, prepared by the timer jobs. */
  | ClockNotice
  | DigestNotice
  /** The weekly digest's chart, uploaded as a PNG file to the digest channel. */
  | DigestChartNotice
  /** A post-mortem draft in the incident's thread, as Markdown. */
  | (RunNotice & {
      type: 'postmortem';
      markdown: string;
      /** Follow-ups each offered as a Bug Fix or New Feature run of its own. */
      followUps?: string[];
    })
  /**
   * The run was declared from a message (the incident shortcut): a reply in that message's
   * thread links to the run, once its root message is posted.
   */
  | (RunNotice & {
      type: 'run_declared';
      by: string;
      severity: string | null;
      title: string;
      replyIn: ReplyPlace;
    })
  /**
   * Runs linked: posted in this run's thread about the linked run, or (`replyIn`) in the linked
   * run's thread about this one, once this run's root message is posted (it links to it).
   * `relation` is what the run talked about is to the run whose thread it is in (links.ts; an
   * audit when absent).
   */
  | (RunNotice & {
      type: 'run_linked';
      linkedRunId: string;
      linkedChain: string;
      linkedTitle: string;
      reason: string;
      relation?: LinkRelation;
      /** The parent's step the child runs. */
      stepTitle?: string;
      replyIn?: ReplyPlace;
    })
  /** A monitoring alert opened the incident, fired again, or resolved (src/services/alerts/). */
  | AlertNoticeFields
  | DeliveryProblemNotice
  /** A webhook event for one subscription (never rendered in Slack: the webhook channel sends it). */
  | WebhookNotice
  /** A webhook subscription kept failing and was paused: its owner is told. */
  | WebhookPausedNotice;

/**
 * Slack refused a run's message (the bot is not in the channel, the channel is archived, …): a
 * person is told, by DM or on the request's response_url while Slack still takes it. It carries
 * all it says, so it renders without the run, and is never held back waiting for the run's thread.
 */
export interface DeliveryProblemNotice {
  type: 'delivery_problem';
  runId: string;
  runTitle: string;
  /** Where the message should have gone. */
  channelId: string | null;
  /** Slack's error code. */
  error: string;
  /** Waiting until the bot is invited (true), or given up for good. */
  held: boolean;
  /** The requester (who can invite the bot), or an owner of the step the message handed off. */
  audience: 'requester' | 'owner';
  /** What could not be posted: the notice type, its step when it had one, the user of a DM. */
  failed: { notice: string; stepKey: string | null; stepTitle: string | null; toUser?: string };
  /** The request's response_url (a slash command's), and until when Slack takes it. */
  responseUrl?: string;
  responseUrlUntil?: number;
}

export type NoticeType = Notice['type'];

/**
 * The message that brings a run's root message up to date: rendered from the run when it is
 * sent, so one still waiting covers any number of changes (the outbox keeps one per run).
 */
export function rootUpdateMessage(runId: string): {
  runId: string;
  delivery: { kind: 'root_update' };
  notice: { type: 'root_update'; runId: string };
} {
  return { runId, delivery: { kind: 'root_update' }, notice: { type: 'root_update', runId } };
}

/** Where an outbox message goes. */
export type Delivery =
  /** The run's root message, posted in the run's channel (thread of the mention for mentions). */
  | { kind: 'root' }
  | { kind: 'root_update' }
  /** A reply in the run's thread. */
  | { kind: 'thread' }
  /** A direct message to a user. */
  | { kind: 'dm'; userId: string }
  /**
   * A message in a channel (digests), or a run's reply in a thread of that channel its notice
   * names (`run_declared`): sent after the run's earlier messages, the root first.
   */
  | { kind: 'channel'; channelId: string }
  /**
   * A signed POST to a webhook subscription. Rows of one subscription and run form one lane
   * (`webhookLane`): a run's events reach each subscriber in order.
   */
  | { kind: 'webhook'; subscriptionId: number; runId: string | null };

/** The destination stored with a webhook row (the outbox's lane key): one per subscription and run. */
export const webhookLane = (subscriptionId: number, runId: string | null) =>
  `webhook:${subscriptionId}:${runId ?? '-'}`;

/** The subscription and run of a webhook lane key, or null when it is not one. */
export function parseWebhookLane(lane: string): { subscriptionId: number; runId: string | null } | null {
  const m = /^webhook:(\d+):(.+)$/.exec(lane);
  if (!m) return null;
  return { subscriptionId: Number(m[1]), runId: m[2] === '-' ? null : m[2]! };
}

/** What could not be delivered for a run: held until the bot is invited, or failed for good. */
export interface DeliveryProblem {
  runId: string;
  /** The channel the run lives in (where its held messages wait). */
  channelId: string | null;
  held: number;
  failed: number;
  /** Slack's error codes, distinct, oldest first (`not_in_channel`, `is_archived`, …). */
  errors: string[];
  /** When the first of them was enqueued. */
  since: number;
}
