// Runs and notices for the builder tests: real playbooks, planned and started in memory (no
// database), at a fixed time. Every role is held by U + the role's name in capitals.
import { loadPlaybooks } from '../../../routing/playbooks/load.ts';
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import { loadRoleDirectory } from '../../../routing/roles.ts';
import { PRINCIPALS } from '../../../src/core/principals.ts';
import type { Notice } from '../../../src/domain/notices.ts';
import type { MetricsReport } from '../../../src/domain/reports.ts';
import { newRun, RunTransition } from '../../../src/domain/run-machine.ts';
import type { Run, RunRequest } from '../../../src/domain/types.ts';
import { emptyDigestNotice } from '../../support/digest-notice.ts';

export const NOW = Date.UTC(2026, 10, 2, 9, 0, 0);
export const directory = loadRoleDirectory();
export const playbooks = loadPlaybooks({ knownRoles: new Set(directory.names) });
export const userFor = (role: string) => `U${role.toUpperCase()}`;

export function playbook(chain: string): Playbook {
  const p = playbooks.find((x) => x.id === chain);
  if (!p) throw new Error(`no playbook ${chain}`);
  return p;
}

/** A started run (first step handed off) and the notices its start produced. */
export function startedRun(
  request: Partial<RunRequest> & { chain?: string } = {},
  opts: { holders?: (role: string) => string[] } = {},
): { run: Run; notices: Notice[] } {
  const chain = request.chain ?? 'feature';
  const p = playbook(chain);
  const run = newRun(
    {
      title: 'Dark mode',
      text: 'Add a dark mode to the app',
      requester: 'UREQ',
      channelId: 'CREQ',
      ...request,
      chain,
    },
    { id: `${p.prefix}-3`, seq: 3 },
    { playbook: p, directory, now: NOW },
  );
  const tr = new RunTransition(run, {
    playbook: p,
    directory,
    holders: opts.holders ?? ((role) => [userFor(role)]),
    isGroup: PRINCIPALS.isGroup,
    now: NOW,
  });
  tr.start('UREQ');
  return { run: tr.run, notices: tr.messages.map((m) => m.notice) };
}

/** A metrics report with one chain and two severities, one without incidents. */
export const METRICS: MetricsReport = {
  from: null,
  to: null,
  chains: [
    {
      chain: 'feature',
      title: 'New Feature',
      count: 4,
      done: 3,
      open: 1,
      avgDurationMs: 3_600_000,
      successRate: 0.75,
    },
  ],
  mttr: [
    { severity: 'sev1', count: 2, avgMs: 30 * 60_000 },
    { severity: 'sev2', count: 0, avgMs: null },
  ],
};

const step = { runId: 'FEAT-3', stepKey: 'technical_feasibility', stepTitle: 'Technical Feasibility' };
const T0 = Date.UTC(2026, 10, 2, 9, 0);
const HOUR = 3_600_000;
const stepClock = {
  ...step,
  runTitle: 'Dark mode',
  phase: 'done' as const,
  owners: [{ role: 'Atlas', principals: ['UATLAS'] }],
  startedAt: T0,
  deadlineAt: T0 + 48 * HOUR,
  regime: 'complete within 2 business days',
  blockedReason: null,
  dueAt: T0 + 46 * HOUR,
  firedAt: T0 + 46 * HOUR,
  late: false,
  lateByMs: 0,
};

/** One notice of every type: the engine's, the clocks', the digests' and the post-mortem's. */
export const NOTICES: Notice[] = [
  { type: 'run_started', runId: 'FEAT-3' },
  { type: 'root_update', runId: 'FEAT-3' },
  {
    type: 'handoff',
    ...step,
    position: 2,
    total: 9,
    mentions: [{ role: 'Atlas', principals: ['UATLAS', 'SPLATFORM'] }],
    watchers: [{ role: 'Architect', principals: ['UARCHITECT'] }],
    phase: 'owners',
    output: 'Feasibility assessment, HOW and WHEN',
    gate: { check: 'Rejects if infeasible or misaligned', canBlock: true, canReject: true },
    notes: ['Growth-related feature: @GrowthLead defines metrics.'],
    unheld: [],
    canSkip: false,
  },
  {
    type: 'notify',
    runId: 'INC-3',
    mentions: [
      { role: 'Ghabs', principals: ['UGHABS'] },
      { role: 'Atlas', principals: ['UATLAS'] },
    ],
    reason: 'SEV1: service down, all users affected. @Ghabs notified.',
    direct: true,
  },
  {
    type: 'delivered',
    ...step,
    by: 'UATLAS',
    role: 'Atlas',
    output: 'Doable in two sprints',
    waitingOn: ['Ghabs'],
  },
  {
    type: 'step_done',
    ...step,
    by: 'UATLAS',
    output: 'Doable in two sprints',
    gatePassed: 'Rejects if infeasible or misaligned',
  },
  {
    type: 'blocked',
    ...step,
    by: 'UPRIVACY',
    role: 'Privacy',
    reason: 'No DPIA for the new analytics events',
    gateFailed: 'Can block release',
    liftedBy: 'only @Privacy, or @Ghabs accepting the risk with a written rationale',
  },
  {
    type: 'unblocked',
    ...step,
    by: 'UGHABS',
    rationale: 'Launch with consent banner; DPIA by Friday',
    riskAccepted: true,
  },
  { type: 'rejected', ...step, by: 'UATLAS', reason: 'Infeasible on the current stack' },
  { type: 'reassigned', ...step, by: 'UATLAS', role: 'Atlas', from: ['UATLAS'], to: ['UOTHER', 'UTHIRD'] },
  {
    type: 'skipped',
    runId: 'FEAT-3',
    stepKey: 'ux_design',
    stepTitle: 'UX Design',
    by: 'UPRODUCTDESIGNER',
    reason: 'Backend only',
  },
  { type: 'cancelled', runId: 'FEAT-3', by: 'UREQ', reason: 'Duplicate of FEAT-2' },
  { type: 'completed', runId: 'FEAT-3', durationMs: 3 * 3600_000 + 20 * 60_000 },
  {
    type: 'context_changed',
    runId: 'BUG-3',
    by: 'UPROJECTLEAD',
    changes: { severity: { from: 'high', to: 'critical' }, projects: { from: [], to: ['web', 'mobile'] } },
  },
  { type: 'reminder', ...stepClock },
  {
    type: 'escalation',
    ...stepClock,
    escalatedTo: [{ role: 'Ghabs', principals: ['UGHABS'], tier: 'direct', from: 'Atlas', repeated: false }],
    noTarget: [],
  },
  {
    type: 'gdpr',
    runId: 'INC-3',
    runTitle: 'Leak',
    mark: '48h',
    startedAt: T0,
    deadlineAt: T0 + 72 * HOUR,
    remainingMs: 24 * HOUR,
    mentions: [{ role: 'Privacy', principals: ['UPRIVACY'] }],
  },
  emptyDigestNotice('Daily digest, 2026-11-02', T0),
  {
    type: 'postmortem',
    runId: 'INC-3',
    markdown: '# Post-mortem INC-3\n\n## Timeline\n- 09:00 alert\n- 09:05 **mitigated**',
  },
  ...(['opened', 'repeated', 'resolved'] as const).map(
    (event): Notice => ({
      type: 'alert',
      runId: 'INC-3',
      event,
      alert: {
        source: 'alertmanager',
        dedupKey: '{}:{alertname="CheckoutDown"}',
        title: 'CheckoutDown on checkout',
        service: 'checkout',
        status: event === 'resolved' ? 'resolved' : 'firing',
        received: event === 'opened' ? 1 : 4,
        firing: 2,
        lastAt: T0,
        values: ['probe_success=0 on checkout-1:8080', 'probe_success=0 on checkout-2:8080'],
        links: [{ label: 'Runbook', url: 'https://runbooks.example.com/checkout-down' }],
        proposedSeverity: 'sev1',
        because: 'a critical alert, service down',
        previousRunId: event === 'opened' ? 'INC-2' : null,
        resolvedAt: event === 'resolved' ? T0 : null,
      },
      mitigate:
        event === 'resolved'
          ? {
              stepKey: 'mitigate',
              stepTitle: 'Mitigate',
              mentions: [{ role: 'OpsCommander', principals: ['UOPS'] }],
            }
          : null,
    }),
  ),
  {
    type: 'run_linked',
    runId: 'INC-3',
    linkedRunId: 'AUD-2',
    linkedChain: 'compliance',
    linkedTitle: 'Incident Audit after INC-3: Checkout down',
    reason: 'user data was exposed',
  },
  {
    type: 'digest_chart',
    periodKey: 'weekly:2026-W45',
    png: '',
    chart: {
      title: 'Runs and median duration per chain, last 8 weeks',
      weeks: [{ start: T0, label: 'Nov 2' }],
      chains: [{ chain: 'feature', title: 'New Feature', runs: [3], medianMs: [2 * HOUR] }],
      bottlenecks: [
        {
          chain: 'feature',
          title: 'New Feature',
          improvement: {
            stepKey: 'design',
            stepTitle: 'Design',
            reasons: ['waited'],
            escalated: 0,
            blocked: 0,
            avgWaitMs: 5 * HOUR,
          },
        },
      ],
    },
  },
  {
    type: 'webhook_paused',
    subscriptionId: 4,
    url: 'https://agent.example.com/hooks',
    error: 'HTTP 500',
    attempts: 9,
  },
];
