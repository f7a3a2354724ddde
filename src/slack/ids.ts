// Every Slack identifier has one home: handlers, builders, tests and manifest.yml use these.

export const COMMAND_LEAD = '/lead';

export const CALLBACK = {
  /** Message shortcut: declare an incident from any message. */
  declareIncident: 'declare_incident',
  /** Modals. */
  declareIncidentModal: 'declare_incident_modal',
  stepDoneModal: 'step_done_modal',
  stepBlockModal: 'step_block_modal',
  stepUnblockModal: 'step_unblock_modal',
  stepRejectModal: 'step_reject_modal',
  stepReassignModal: 'step_reassign_modal',
  stepSkipModal: 'step_skip_modal',
  gateOverruleModal: 'gate_overrule_modal',
} as const;

export const ACTION = {
  stepDone: 'step_done',
  stepBlock: 'step_block',
  stepUnblock: 'step_unblock',
  stepReject: 'step_reject',
  stepReassign: 'step_reassign',
  stepSkip: 'step_skip',
  stepAck: 'step_ack',
  stepSnooze: 'step_snooze',
  /** A person on the escalation path confirms, or overrules, an agent's decision on a gate. */
  gateConfirm: 'gate_confirm',
  gateOverrule: 'gate_overrule',
  /** Privacy records that the supervisory authority was notified (GDPR Art. 33); value: the run ID. */
  gdprNotified: 'gdpr_notified',
  /** The classifier was unsure: the requester confirms or picks a chain. */
  chooseChain: 'choose_chain',
  cancelRequest: 'cancel_request',
  /** Links and overflow in App Home. */
  openRun: 'open_run',
  /** Cancelling a run that waits on linked runs: cancel them too, or keep them going. */
  runCancelLinked: 'run_cancel_linked',
  runCancelKeep: 'run_cancel_keep',
  /** A post-mortem's follow-up becomes a Bug Fix or a New Feature run linked to the incident. */
  followUpBug: 'follow_up_bug',
  followUpFeature: 'follow_up_feature',
} as const;

/** Block and input ids of the modals (view_submission errors are keyed by block_id). */
export const BLOCK = {
  title: 'title',
  description: 'description',
  severity: 'severity',
  service: 'service',
  userData: 'user_data',
  output: 'output',
  reason: 'reason',
  /** Blocking a gated step: did the gate fail, or is the step waiting on something? */
  blockKind: 'block_kind',
  rationale: 'rationale',
  assignees: 'assignees',
  role: 'role',
  projects: 'projects',
  releaseType: 'release_type',
  userDataExposed: 'user_data_exposed',
  notificationSent: 'notification_sent',
} as const;

export const EVENT = {
  appMention: 'app_mention',
  appHomeOpened: 'app_home_opened',
  memberJoinedChannel: 'member_joined_channel',
} as const;

/** A run ID as Slack shows it or a button carries it (`INC-3`). */
export const RUN_ID_PATTERN = /^[A-Z]{2,6}-\d+$/;

/** A run button's value (`gdpr_notified`): the run ID, or null when it is not one. */
export function parseRunRef(value: string | undefined | null): string | null {
  return RUN_ID_PATTERN.test(value ?? '') ? value! : null;
}

/**
 * A button's value that carries a run and words said with it (a cancel's reason, a follow-up's
 * title), cut to fit the 2,000 characters Slack allows a value.
 */
export function encodeRunNote(runId: string, note: string | null): string {
  return JSON.stringify({ run: runId, note: note === null ? null : note.slice(0, 1500) });
}

export function parseRunNote(
  value: string | undefined | null,
): { runId: string; note: string | null } | null {
  try {
    const v = JSON.parse(value ?? '') as { run?: unknown; note?: unknown };
    if (typeof v.run !== 'string' || !RUN_ID_PATTERN.test(v.run)) return null;
    return { runId: v.run, note: typeof v.note === 'string' ? v.note : null };
  } catch {
    return null;
  }
}

/** A step button's value: which run and which step it is about (`FEAT-3|vision_scope`). */
export function encodeStepRef(runId: string, stepKey: string): string {
  return `${runId}|${stepKey}`;
}

export function parseStepRef(value: string | undefined | null): { runId: string; stepKey: string } | null {
  const m = /^([A-Z]{2,6}-\d+)\|([a-z][a-z0-9_]*)$/.exec(value ?? '');
  return m ? { runId: m[1]!, stepKey: m[2]! } : null;
}

/** A chain-choice button's value: which pending request and which chain (`12|bug`). */
export function encodeChainChoice(pendingId: number, chain: string): string {
  return `${pendingId}|${chain}`;
}

export function parseChainChoice(
  value: string | undefined | null,
): { pendingId: number; chain: string } | null {
  const m = /^(\d+)\|([a-z][a-z0-9_]*)$/.exec(value ?? '');
  return m ? { pendingId: Number(m[1]), chain: m[2]! } : null;
}

/** The declare_incident modal's private_metadata: the message the incident was declared from. */
export interface IncidentSource {
  channelId: string;
  messageTs: string;
  threadTs: string | null;
  permalink: string | null;
}

export function encodeIncidentSource(s: IncidentSource): string {
  return JSON.stringify({ c: s.channelId, ts: s.messageTs, th: s.threadTs, p: s.permalink });
}

export function parseIncidentSource(metadata: string | undefined): IncidentSource | null {
  try {
    const m = JSON.parse(metadata ?? '') as { c?: unknown; ts?: unknown; th?: unknown; p?: unknown };
    if (typeof m.c !== 'string' || typeof m.ts !== 'string') return null;
    return {
      channelId: m.c,
      messageTs: m.ts,
      threadTs: typeof m.th === 'string' ? m.th : null,
      permalink: typeof m.p === 'string' ? m.p : null,
    };
  } catch {
    return null;
  }
}
