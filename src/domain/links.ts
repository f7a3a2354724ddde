// Runs linked to runs, pure: a step that runs as another chain's run (its child), a follow-up of
// an incident, an audit an incident started. Each run keeps its links in its context
// (`context.links`), each side naming the other and the other's status as last told; a change of
// a run's status is told to the runs it links (src/services/links/), and a step waiting on its
// child follows it: done when the child is done, blocked while it is blocked.
import type { StepLink } from '../../routing/playbooks/schema.ts';
import {
  type Actor,
  CLOSED_RUN_STATUSES,
  type Run,
  type RunRequest,
  type RunStatus,
  type Step,
  SYSTEM_ACTOR,
} from './types.ts';

/**
 * What the other run is to this one: `step` runs one of this run's steps (`stepKey`);
 * `parent` is the run whose step this one runs; `follow_up` came out of this run's post-mortem,
 * `follow_up_of` is the incident this one follows up; `audit` was started because of this run,
 * `audit_of` is the run this audit is about.
 */
export const LINK_RELATIONS = ['step', 'parent', 'follow_up', 'follow_up_of', 'audit', 'audit_of'] as const;
export type LinkRelation = (typeof LINK_RELATIONS)[number];

const INVERSE: Record<LinkRelation, LinkRelation> = {
  step: 'parent',
  parent: 'step',
  follow_up: 'follow_up_of',
  follow_up_of: 'follow_up',
  audit: 'audit_of',
  audit_of: 'audit',
};

export interface RunLink {
  relation: LinkRelation;
  runId: string;
  chain: string;
  title: string;
  /** The parent's step the child runs (relations `step` and `parent`). */
  stepKey?: string;
  /** The other run's status, as last told. */
  status: RunStatus;
  /** The parent was cancelled and the child kept: neither waits on the other any more. */
  detached?: boolean;
}

/** The bot acting by itself on a linked run (a child's end completes its parent's step). */
export const LINK_ACTOR: Actor = {
  kind: 'system',
  userId: SYSTEM_ACTOR,
  principals: [SYSTEM_ACTOR],
  isAdmin: true,
  roles: [],
  label: 'ProjectLead',
};

export function linksOf(run: Pick<Run, 'context'>): RunLink[] {
  const links = run.context.links;
  return Array.isArray(links) ? (links as RunLink[]) : [];
}

/** The relation as the other run keeps it (`step` ↔ `parent`, …). */
export const inverseRelation = (relation: LinkRelation): LinkRelation => INVERSE[relation];

/** The link as the other run keeps it. */
export function inverseLink(run: Run, link: RunLink): RunLink {
  return {
    relation: INVERSE[link.relation],
    runId: run.id,
    chain: run.chain,
    title: run.title,
    ...(link.stepKey ? { stepKey: link.stepKey } : {}),
    status: run.status,
    ...(link.detached ? { detached: true } : {}),
  };
}

/** Add a link to the run (or replace the one to the same run in the same relation). */
export function addLink(run: Run, link: RunLink): void {
  run.context.links = [
    ...linksOf(run).filter((l) => !(l.runId === link.runId && l.relation === link.relation)),
    link,
  ];
}

const isOpen = (status: RunStatus) => !CLOSED_RUN_STATUSES.includes(status);

/** The open child the step waits on, if any. */
export function liveChild(run: Run, stepKey: string): RunLink | undefined {
  return linksOf(run).find(
    (l) => l.relation === 'step' && l.stepKey === stepKey && !l.detached && isOpen(l.status),
  );
}

/** Children still running that the run waits on. */
export function openChildren(run: Run): RunLink[] {
  return linksOf(run).filter((l) => l.relation === 'step' && !l.detached && isOpen(l.status));
}

/** Open follow-ups of an incident. */
export function openFollowUps(run: Run): RunLink[] {
  return linksOf(run).filter((l) => l.relation === 'follow_up' && isOpen(l.status));
}

/** The request that starts the child running `step` of `parent` as its playbook's link says. */
export function childRequest(parent: Run, step: Step, link: StepLink): RunRequest {
  const recorded: Record<string, string | null> = {};
  for (const [childKey, parentKey] of Object.entries(link.record ?? {})) {
    recorded[childKey] = parent.steps.find((s) => s.key === parentKey)?.output ?? null;
  }
  const name = link.title ?? step.title;
  const severity = parent.severity ? (link.severity?.[parent.severity] ?? null) : null;
  return {
    chain: link.chain,
    title: `${name} for ${parent.id}: ${parent.title}`,
    text: `${parent.id}'s ${step.title}${step.spec.output ? ` (${step.spec.output})` : ''}: ${parent.requestText}`,
    requester: parent.requester,
    channelId: parent.channelId,
    source: 'link',
    flags: [...parent.flags],
    projects: [...parent.projects],
    severity,
    auditType: link.auditType ?? null,
    context: {
      links: [
        {
          relation: 'parent',
          runId: parent.id,
          chain: parent.chain,
          title: parent.title,
          stepKey: step.key,
          status: parent.status,
        } satisfies RunLink,
      ],
    },
    ...(link.entry ? { entry: { stepKey: link.entry, recorded, from: parent.id } } : {}),
    idempotencyKeys: [`link:${parent.id}:${step.key}`],
  };
}

/** The chains a post-mortem's follow-up may become. */
export const FOLLOW_UP_CHAINS = ['bug', 'feature'] as const;
export type FollowUpChain = (typeof FOLLOW_UP_CHAINS)[number];

/** The request that turns a follow-up of an incident's post-mortem into a run of its own. */
export function followUpRequest(
  incident: Run,
  requester: string,
  input: { chain: FollowUpChain; title: string },
): RunRequest {
  const title = input.title.trim();
  return {
    chain: input.chain,
    title,
    text: `Follow-up of ${incident.id} (${incident.title}), from its post-mortem: ${title}`,
    requester,
    channelId: incident.channelId,
    source: 'follow_up',
    projects: [...incident.projects],
    flags: [...incident.flags],
    // The same follow-up turned into the same kind of run twice is one run.
    idempotencyKeys: [
      `follow_up:${incident.id}:${input.chain}:${title.toLowerCase().replace(/\s+/g, ' ').slice(0, 200)}`,
    ],
  };
}

/** The run no longer waits on (or is waited on by) the other. */
export function detach(run: Run, otherId: string): void {
  run.context.links = linksOf(run).map((l) =>
    l.runId === otherId && (l.relation === 'step' || l.relation === 'parent') ? { ...l, detached: true } : l,
  );
}

/** What cancelling a run does with the children it waits on. */
export type ChildrenOnCancel = 'cancel' | 'keep';
