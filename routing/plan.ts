// Planning a run: which steps apply and who owns them, from the playbook and the request.
// Pure: the same playbook, request and directory always give the same plan.

import {
  type Condition,
  DEFAULT_FALLBACK_OWNERS,
  type Playbook,
  type PlaybookStep,
} from './playbooks/schema.ts';
import type { RoleDirectory } from './roles.ts';
import type { Flag, ReleaseType, Severity } from './vocabulary.ts';

/** The pseudo-role of whoever made the request (Bug Fix "Report: Anyone"). */
export const REQUESTER_ROLE = 'Requester';

/** What the plan depends on. */
export interface RunFacts {
  flags: readonly Flag[];
  severity: Severity | null;
  releaseType: ReleaseType | null;
  changeType: string | null;
  auditType: string | null;
  projects: readonly string[];
  /** The roles the requester held when the run started (`$requesterTier2`). */
  requesterRoles?: readonly string[];
}

export interface PlannedStep {
  idx: number;
  key: string;
  title: string;
  owners: string[];
  approvers: string[];
  watchers: string[];
  notes: string[];
  output: string | null;
  gate: PlaybookStep['gate'];
  collects: PlaybookStep['collects'];
  /** Skipped at start, and why. */
  skipped: boolean;
  skipReason: string | null;
  /** May never be skipped. */
  required: boolean;
  /** An owner or admin may skip it by hand, with a reason. */
  manualSkip: boolean;
  /** One delivery by any owner is enough. */
  anyOwner: boolean;
}

export interface PlannedNotice {
  /** A stable key, so a re-plan never tells the same people twice. */
  key: string;
  roles: string[];
  /** `start`, or the key of the step whose handoff triggers it. */
  at: string;
  reason: string;
}

export interface RunPlan {
  steps: PlannedStep[];
  notices: PlannedNotice[];
  /** Lines that describe the run's regime (severity row, release type row, change pattern). */
  summary: string[];
  /** The release type the plan assumed (the playbook's default when none was given). */
  releaseType: ReleaseType | null;
}

export function conditionHolds(c: Condition, f: RunFacts): boolean {
  if (c.anyFlag && !c.anyFlag.some((x) => f.flags.includes(x))) return false;
  if (c.allFlags && !c.allFlags.every((x) => f.flags.includes(x))) return false;
  if (c.noFlag?.some((x) => f.flags.includes(x))) return false;
  if (c.severity && !(f.severity && c.severity.includes(f.severity))) return false;
  if (c.releaseType && !(f.releaseType && c.releaseType.includes(f.releaseType))) return false;
  if (c.changeType && !(f.changeType && c.changeType.includes(f.changeType))) return false;
  if (c.auditType && !(f.auditType && c.auditType.includes(f.auditType))) return false;
  if (c.minProjects !== undefined && f.projects.length < c.minProjects) return false;
  if (c.any && !c.any.some((x) => conditionHolds(x, f))) return false;
  if (c.not && conditionHolds(c.not, f)) return false;
  return true;
}

const unique = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

export function planRun(playbook: Playbook, facts: RunFacts, directory: RoleDirectory): RunPlan {
  const releaseType = playbook.releaseTypes
    ? (facts.releaseType ?? playbook.releaseTypes.default)
    : facts.releaseType;
  const f: RunFacts = { ...facts, releaseType };
  const pattern = playbook.changePatterns?.patterns.find((p) => p.id === f.changeType) ?? null;
  const allTier2 = directory.tier2;
  // The affected projects' Tier 2 leads. A cross-project pattern's Tier 2 leads count as
  // affected too: a change of that type reaches their projects (an API contract its consumers).
  const tier2 = unique([
    ...facts.projects.map((p) => directory.leadForProject(p)).filter((r): r is string => !!r),
    ...(pattern?.leads ?? [])
      .map((r) => directory.resolve(r))
      .filter((r): r is string => r !== null && allTier2.includes(r)),
  ]);
  const requesterIsTier2 = (facts.requesterRoles ?? []).some((r) => allTier2.includes(r));

  /**
   * Owner references to roles. A token that resolves to nobody (no project known yet) gives
   * `fallback` instead, and a fallback that resolves to nobody gives `lastResort`.
   */
  const expand = (
    refs: readonly string[],
    fallback: readonly string[] = [],
    lastResort: readonly string[] = [],
  ): string[] => {
    const or = (found: readonly string[]) => (found.length > 0 ? found : expand(fallback, lastResort));
    const out: string[] = [];
    for (const ref of refs) {
      if (ref === '$tier2') out.push(...or(tier2));
      else if (ref === '$allTier2') out.push(...allTier2);
      else if (ref === '$requester') out.push(REQUESTER_ROLE);
      // SOP "Any Tier 2 Lead": the requester when they lead a project, else the affected leads.
      else if (ref === '$requesterTier2') out.push(...(requesterIsTier2 ? [REQUESTER_ROLE] : or(tier2)));
      else if (ref === '$changeLeads')
        out.push(...(pattern ? expand(pattern.leads, fallback, lastResort) : or(tier2)));
      else out.push(directory.resolve(ref) ?? ref);
    }
    return unique(out);
  };

  const required = new Set<string>();
  const forcedSkip = new Set<string>();
  const steps: PlannedStep[] = playbook.steps.map((s, idx) => ({
    idx,
    key: s.key,
    title: s.title,
    owners: expand(s.owners, s.fallbackOwners, DEFAULT_FALLBACK_OWNERS),
    approvers: expand(s.approvers),
    watchers: [],
    notes: [],
    output: s.output,
    gate: s.gate,
    collects: s.collects,
    skipped: false,
    skipReason: null,
    required: false,
    manualSkip: s.skip.manual,
    anyOwner: s.anyOwner,
  }));
  const stepByKey = new Map(steps.map((s) => [s.key, s]));
  const notices: PlannedNotice[] = [];
  const summary: string[] = [];

  for (const rule of playbook.rules) {
    if (!conditionHolds(rule.when, f)) continue;
    for (const effect of rule.steps) {
      const step = stepByKey.get(effect.step)!;
      const fallback = playbook.steps[step.idx]!.fallbackOwners;
      if (effect.owners) step.owners = expand(effect.owners, fallback, DEFAULT_FALLBACK_OWNERS);
      if (effect.addOwners)
        step.owners = unique([
          ...step.owners,
          ...expand(effect.addOwners, fallback, DEFAULT_FALLBACK_OWNERS),
        ]);
      if (effect.approvers) step.approvers = expand(effect.approvers);
      if (effect.watchers) step.watchers = unique([...step.watchers, ...expand(effect.watchers)]);
      if (effect.note) step.notes.push(effect.note);
      if (effect.require) required.add(step.key);
      if (effect.skip) forcedSkip.add(step.key);
    }
    rule.notify.forEach((n, i) =>
      notices.push({ key: `rule:${rule.id}:${i}`, roles: expand(n.roles), at: n.at, reason: n.reason }),
    );
  }

  // Severity tables: who is told at once, and the response the row promises.
  const bugRow = playbook.severities?.bug?.find((r) => r.id === f.severity);
  if (bugRow) {
    summary.push(`${bugRow.label}: response ${bugRow.response}; escalation ${bugRow.escalation}`);
    if (bugRow.notify.length > 0) {
      notices.push({
        key: `severity:${bugRow.id}`,
        roles: expand(bugRow.notify),
        at: 'start',
        reason: `${bugRow.label} bug: ${bugRow.escalation}. Response: ${bugRow.response}.`,
      });
    }
  }
  const incidentRow = playbook.severities?.incident?.find((r) => r.id === f.severity);
  if (incidentRow) {
    summary.push(
      `${incidentRow.label}: ${incidentRow.definition}. Response: ${incidentRow.response}. ${incidentRow.communication}.`,
    );
    if (incidentRow.notify.length > 0) {
      notices.push({
        key: `severity:${incidentRow.id}`,
        roles: expand(incidentRow.notify),
        at: 'start',
        reason: `${incidentRow.label} (${incidentRow.definition}). Response: ${incidentRow.response}.`,
      });
    }
  }

  // Release types: QA depth, whether the privacy review is mandatory, and the approver.
  const rt = playbook.releaseTypes;
  const typeRow = rt?.types.find((t) => t.id === releaseType);
  if (rt && typeRow) {
    summary.push(
      `${typeRow.label} release (${typeRow.description}): QA ${typeRow.qaDepth}; privacy review ${typeRow.privacyReview}; approval ${typeRow.approval}`,
    );
    stepByKey.get(rt.steps.qa)?.notes.push(`QA depth (${typeRow.label}): ${typeRow.qaDepth}.`);
    const privacy = stepByKey.get(rt.steps.privacyReview);
    if (privacy) {
      const needed =
        typeRow.privacyReviewRequired === 'always' || conditionHolds(typeRow.privacyReviewRequired, f);
      if (needed) {
        required.add(privacy.key);
        privacy.notes.push(`Privacy review (${typeRow.label}): ${typeRow.privacyReview}.`);
      } else {
        forcedSkip.add(privacy.key);
        privacy.skipReason = `${typeRow.label} release: privacy review only ${typeRow.privacyReview.toLowerCase()}.`;
      }
    }
    const approval = stepByKey.get(rt.steps.approval);
    if (approval) {
      const approvers = expand(typeRow.approvers);
      approval.approvers = approvers.filter((a) => !approval.owners.includes(a));
      approval.notes.push(`Approval (${typeRow.label}): ${typeRow.approval}.`);
    }
  }

  // Cross-project patterns: who coordinates and the deploy order.
  if (pattern && playbook.changePatterns) {
    summary.push(
      `${pattern.label}: ${pattern.coordination}; deploy order ${pattern.deployOrder.join(' → ')}`,
    );
    stepByKey
      .get(playbook.changePatterns.deployStep)
      ?.notes.push(`Deploy order (${pattern.label}): ${pattern.deployOrder.join(' → ')}.`);
  }

  const audit = playbook.auditTypes?.find((a) => a.id === f.auditType);
  if (audit) summary.push(`${audit.label} (${audit.frequency}): scope ${audit.scope}`);
  if (playbook.riskDomains && steps[0]) {
    steps[0].notes.push(
      `Risk domains: ${playbook.riskDomains.map((d) => `${d.label} (${d.checks.join(', ')})`).join('; ')}.`,
    );
  }

  for (const step of steps) {
    // An owner of the step is not also one of its watchers.
    step.watchers = step.watchers.filter((w) => !step.owners.includes(w));
    if (step.anyOwner && step.owners.length > 1)
      step.notes.push(
        `Any one of ${step.owners.map((o) => `@${o}`).join(', ')} delivers this step: the first to do it completes it.`,
      );
    const def = playbook.steps[step.idx]!;
    const req =
      required.has(step.key) ||
      (def.skip.requiredWhen !== undefined && conditionHolds(def.skip.requiredWhen, f)) ||
      (def.skip.unless !== undefined && conditionHolds(def.skip.unless, f));
    step.required = req;
    if (req) {
      step.manualSkip = false;
      step.skipReason = null;
      continue;
    }
    const auto =
      forcedSkip.has(step.key) ||
      (def.skip.when !== undefined && conditionHolds(def.skip.when, f)) ||
      (def.skip.unless !== undefined && !conditionHolds(def.skip.unless, f));
    if (auto) {
      step.skipped = true;
      step.skipReason ??= def.skip.reason ?? 'Not needed for this request.';
    }
  }
  return { steps, notices, summary, releaseType };
}
