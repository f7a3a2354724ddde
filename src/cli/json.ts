// The CLI's JSON shapes, as CONTRACT.md lists them.
import type { Playbook } from '../../routing/playbooks/schema.ts';
import { linksOf } from '../domain/links.ts';
import type { Run, RunEvent } from '../domain/types.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function runJson(run: Run, events: RunEvent[]) {
  return {
    id: run.id,
    chain: run.chain,
    title: run.title,
    status: run.status,
    severity: run.severity,
    releaseType: run.releaseType,
    requester: run.requester,
    channel: run.channelId,
    flags: run.flags,
    projects: run.projects,
    createdAt: iso(run.createdAt),
    closedAt: iso(run.closedAt),
    steps: run.steps.map((s) => ({
      key: s.key,
      title: s.title,
      owners: [...s.owners, ...s.approvers],
      assignees: [...new Set([...s.owners, ...s.approvers].flatMap((r) => s.assignees[r] ?? []))],
      status: s.status,
      output: s.output,
      startedAt: iso(s.startedAt),
      completedAt: iso(s.completedAt),
      ...(s.skipReason ? { skipReason: s.skipReason } : {}),
      ...(s.blockReason ? { blockReason: s.blockReason } : {}),
    })),
    links: linksOf(run).map((l) => ({
      relation: l.relation,
      runId: l.runId,
      chain: l.chain,
      title: l.title,
      step: l.stepKey ?? null,
      status: l.status,
      ...(l.detached ? { detached: true } : {}),
    })),
    events: events.map((e) => ({
      at: iso(e.at),
      actor: e.actor,
      type: e.type,
      step: e.stepKey,
      data: e.data,
    })),
  };
}

/** The SOP document's words for owners resolved at start. */
const OWNER_LABELS: Record<string, string> = {
  $tier2: 'Tier 2 Lead(s)',
  $allTier2: 'All Tier 2 Leads',
  $requester: 'Anyone (the requester)',
  $requesterTier2: 'Any Tier 2 Lead',
  $changeLeads: "The change pattern's leads",
};
export const ownerLabel = (ref: string) => OWNER_LABELS[ref] ?? ref;

export function playbookJson(p: Playbook) {
  return {
    id: p.id,
    title: p.title,
    prefix: p.prefix,
    command: p.command,
    steps: p.steps.map((s) => ({
      key: s.key,
      title: s.title,
      owners: [...s.owners, ...s.approvers].map(ownerLabel),
      output: s.output,
      gate: s.gate,
      skippable: s.skip.manual || s.skip.when !== undefined || s.skip.unless !== undefined,
    })),
  };
}
