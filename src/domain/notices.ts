// What the bot owes Slack after a state change. Written to the outbox in the same transaction
// as the change and rendered by the Slack adapter when sent. No Slack types here.

/** Who is mentioned for a role: the role and the user/group IDs holding it at that moment. */
export interface RoleMention {
  role: string;
  principals: string[];
}

interface RunNotice {
  runId: string;
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
  /** Clocks (reminders, escalations, GDPR) and digests: the payload is prepared by the job. */
  | (RunNotice & { type: 'reminder' | 'escalation' | 'gdpr'; [key: string]: unknown })
  | { type: 'digest'; runId?: undefined; [key: string]: unknown }
  | (RunNotice & { type: 'postmortem'; markdown: string });

export type NoticeType = Notice['type'];

/** Where an outbox message goes. */
export type Delivery =
  /** The run's root message, posted in the run's channel (thread of the mention for mentions). */
  | { kind: 'root' }
  | { kind: 'root_update' }
  /** A reply in the run's thread. */
  | { kind: 'thread' }
  /** A direct message to a user. */
  | { kind: 'dm'; userId: string }
  /** A message in a channel (digests). */
  | { kind: 'channel'; channelId: string };
