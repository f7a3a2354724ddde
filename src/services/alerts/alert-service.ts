// Alerts from monitoring open incidents. One call takes one delivery (a payload may carry
// several problems) and does everything in one transaction: the delivery is claimed once, each
// problem opens an Incident Response run in INCIDENT_CHANNEL (Detect recorded from the alert,
// the severity proposed), adds to the run it opened while that run is open (a count and the
// latest values on the root message, a line in the thread at most every few minutes), or, when
// it resolved, says so in the thread and asks Mitigate's owners, never closing the run. A
// problem firing again after its run closed opens a new run that names the old one. The raw
// payload is kept, capped, on the run's events. The HTTP route answers 202 after this commits.
import type { AlertSeverityMapping } from '../../../routing/alert-severity.ts';
import { proposeSeverity } from '../../../routing/alert-severity.ts';
import type { NormalizedAlert } from '../../alerts/alert.ts';
import type { Clock } from '../../core/clock.ts';
import { alertOf, type RunAlert } from '../../domain/alert-context.ts';
import { rootUpdateMessage } from '../../domain/notices.ts';
import type { RunTransition } from '../../domain/run-machine.ts';
import { completeStep } from '../../domain/transitions/complete-step.ts';
import {
  type Actor,
  CLOSED_RUN_STATUSES,
  type Run,
  type RunStatus,
  SYSTEM_ACTOR,
} from '../../domain/types.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import type { AlertGroupRow, Repositories, Store } from '../../persistence/ports.ts';
import type { RunService } from '../run-service.ts';

/** At most one "fired again" line in a run's thread this often. */
export const ALERT_LINE_EVERY_MS = 5 * 60 * 1000;
/** Tries of a delivery's transaction when another writer changed its run first. */
const MAX_ATTEMPTS = 5;
/** The raw payload kept on the run's events, at most. */
export const RAW_PAYLOAD_CAP = 16 * 1024;

export interface AlertServiceDeps {
  store: Store;
  runs: RunService;
  clock: Clock;
  /** Where incidents opened from alerts are posted; none: intake is off. */
  incidentChannel: string | null;
  severity: AlertSeverityMapping;
  lineEveryMs?: number;
}

export interface AlertDelivery {
  alerts: NormalizedAlert[];
  /** The body as received (kept capped on the run's events). */
  raw: string;
  /** Who sent it: the alert token's name. */
  by: string;
}

export interface AlertOutcome {
  source: string;
  dedupKey: string;
  status: 'firing' | 'resolved';
  /** opened a run, added to an open one, resolved on one, a repeated delivery, or nothing to resolve. */
  action: 'opened' | 'added' | 'resolved' | 'duplicate' | 'ignored';
  runId: string | null;
  previousRunId?: string;
}

/** The raw payload, capped: what is kept of it on the run's events. */
export function capRaw(raw: string): { raw: string; truncated: boolean } {
  return raw.length <= RAW_PAYLOAD_CAP
    ? { raw, truncated: false }
    : { raw: raw.slice(0, RAW_PAYLOAD_CAP), truncated: true };
}

/** What Detect records: the alert's service, what fired, its values and links. */
export function detectOutput(a: NormalizedAlert): string {
  return [
    `${a.title}`,
    [a.service ? `Service: ${a.service}` : null, a.count > 1 ? `${a.count} alerts firing` : null]
      .filter(Boolean)
      .join(' · '),
    a.summary,
    a.values.length > 0 ? `Values: ${a.values.join('; ')}` : null,
    ...a.links.map((l) => `${l.label}: ${l.url}`),
  ]
    .filter((l): l is string => Boolean(l))
    .join('\n');
}

export function createAlertService(deps: AlertServiceDeps) {
  const lineEvery = deps.lineEveryMs ?? ALERT_LINE_EVERY_MS;
  const isOpen = (status: RunStatus | null) => status !== null && !CLOSED_RUN_STATUSES.includes(status);

  const systemActor = (label: string): Actor => ({
    kind: 'system',
    userId: SYSTEM_ACTOR,
    principals: [SYSTEM_ACTOR],
    isAdmin: true,
    roles: [],
    label,
  });

  function runAlert(a: NormalizedAlert, now: number, previousRunId: string | null): RunAlert {
    const proposed = a.severity
      ? { severity: a.severity, because: 'the alert names it' }
      : proposeSeverity(deps.severity, {
          level: a.level,
          state: a.state,
          labels: a.labels,
          text: `${a.title}\n${a.summary ?? ''}`,
        });
    return {
      source: a.source,
      dedupKey: a.dedupKey,
      title: a.title,
      service: a.service,
      status: a.status,
      received: 1,
      firing: a.status === 'firing' ? a.count : 0,
      lastAt: now,
      values: a.values,
      links: a.links,
      proposedSeverity: proposed.severity,
      because: proposed.because,
      previousRunId,
      resolvedAt: null,
    };
  }

  /** The `alert_received` event's data: what came, from whom, and the raw payload capped. */
  function receivedData(a: NormalizedAlert, d: AlertDelivery) {
    return {
      source: a.source,
      dedupKey: a.dedupKey,
      status: a.status,
      deliveryId: a.deliveryId,
      by: d.by,
      ...capRaw(d.raw),
    };
  }

  function received(tr: RunTransition, a: NormalizedAlert, d: AlertDelivery) {
    tr.event(SYSTEM_ACTOR, 'alert_received', null, receivedData(a, d));
  }

  /**
   * A repeat that only counts (the problem still firing, no line due in the thread): the run's
   * alert summary and the event are written without reading the run. Nothing else of the run
   * changes (no step, status, owner or notice but its root update), so the run machine and its
   * hooks would have nothing to do; the version still moves, so a transition that read the run
   * before retries. False: the run has no alert summary to add to (the full transition does it).
   */
  async function count(
    repos: Repositories,
    a: NormalizedAlert,
    d: AlertDelivery,
    group: AlertGroupRow,
    fields: { received: number; firing: number },
    now: number,
  ): Promise<boolean> {
    const patch = {
      ...fields,
      lastAt: now,
      ...(a.values.length > 0 ? { values: a.values } : {}),
      ...(a.links.length > 0 ? { links: a.links } : {}),
    };
    const event = {
      runId: group.runId,
      at: now,
      actor: SYSTEM_ACTOR,
      type: 'alert_received',
      stepKey: null,
      data: receivedData(a, d),
    };
    if (!(await repos.runs.patchContext(group.runId, 'alert', patch, now, [event]))) return false;
    await repos.outbox.enqueue([rootUpdateMessage(group.runId)], now);
    return true;
  }

  async function open(
    repos: Repositories,
    a: NormalizedAlert,
    d: AlertDelivery,
    previous: AlertGroupRow | null,
    now: number,
  ): Promise<AlertOutcome> {
    const previousRunId = previous?.runId ?? null;
    const alert = runAlert(a, now, previousRunId);
    const actor = systemActor(`${a.source} alert`);
    const started = await deps.runs.startIn(
      repos,
      {
        chain: 'incident',
        title: a.service && !a.title.includes(a.service) ? `${a.title} (${a.service})` : a.title,
        text: detectOutput(a),
        requester: SYSTEM_ACTOR,
        channelId: deps.incidentChannel,
        source: 'alert',
        severity: alert.proposedSeverity as Run['severity'],
        context: { alert },
        // Two deliveries of one new problem at once: the first opens the run, the other adds to it.
        idempotencyKeys: [`alert-open:${a.source}:${a.dedupKey}:${previous?.id ?? 0}`],
      },
      now,
      (tr) => {
        received(tr, a, d);
        completeStep(tr, actor, { stepKey: 'detect', output: detectOutput(a) });
        // Detect is recorded from the alert: no handoff of it, no "done" line; one line says it.
        for (let i = tr.messages.length - 1; i >= 0; i--) {
          const n = tr.messages[i]!.notice;
          if ((n.type === 'handoff' || n.type === 'step_done') && n.stepKey === 'detect')
            tr.messages.splice(i, 1);
        }
        const root = tr.messages.findIndex((m) => m.notice.type === 'run_started');
        tr.messages.splice(root + 1, 0, {
          delivery: { kind: 'thread' },
          notice: { type: 'alert', runId: tr.run.id, event: 'opened', alert, mitigate: null },
        });
      },
    );
    if (!started.created) return add(repos, a, d, now);
    await repos.alerts.insert({
      source: a.source,
      dedupKey: a.dedupKey,
      runId: started.run.id,
      status: a.status,
      received: 1,
      firing: alert.firing,
      firstAt: now,
      lastAt: now,
      resolvedAt: null,
      lastLineAt: now,
      latest: { ...a },
    });
    return {
      source: a.source,
      dedupKey: a.dedupKey,
      status: a.status,
      action: 'opened',
      runId: started.run.id,
      ...(previousRunId ? { previousRunId } : {}),
    };
  }

  /** A firing alert again while its run is open: counted, the latest values shown. */
  async function add(
    repos: Repositories,
    a: NormalizedAlert,
    d: AlertDelivery,
    now: number,
    /** The problem's row, when the caller has read (and locked) it already. */
    known?: AlertGroupRow,
  ): Promise<AlertOutcome> {
    const group = known ?? (await repos.alerts.latest(a.source, a.dedupKey, true));
    if (!group) throw new Error(`alert group ${a.source}/${a.dedupKey} vanished`);
    const line = group.lastLineAt === null || now - group.lastLineAt >= lineEvery;
    const counts = { received: group.received + 1, firing: a.count };
    const counted = !line && group.status === 'firing' && (await count(repos, a, d, group, counts, now));
    if (!counted)
      await deps.runs.applyIn(repos, group.runId, now, (tr) => {
        const before = alertOf(tr.run.context);
        const alert: RunAlert = {
          ...(before ?? runAlert(a, now, null)),
          ...counts,
          status: 'firing',
          lastAt: now,
          values: a.values.length > 0 ? a.values : (before?.values ?? []),
          links: a.links.length > 0 ? a.links : (before?.links ?? []),
          resolvedAt: null,
        };
        tr.run.context.alert = alert;
        received(tr, a, d);
        if (line) tr.thread({ type: 'alert', runId: tr.run.id, event: 'repeated', alert, mitigate: null });
        tr.finish();
      });
    await repos.alerts.update(group.id, {
      ...counts,
      status: 'firing',
      lastAt: now,
      resolvedAt: null,
      latest: { ...a },
      ...(line ? { lastLineAt: now } : {}),
    });
    return { source: a.source, dedupKey: a.dedupKey, status: 'firing', action: 'added', runId: group.runId };
  }

  async function resolve(
    repos: Repositories,
    a: NormalizedAlert,
    d: AlertDelivery,
    group: AlertGroupRow,
    now: number,
  ): Promise<AlertOutcome> {
    await deps.runs.applyIn(repos, group.runId, now, (tr) => {
      const before = alertOf(tr.run.context) ?? runAlert(a, now, null);
      const alert: RunAlert = { ...before, status: 'resolved', firing: 0, lastAt: now, resolvedAt: now };
      tr.run.context.alert = alert;
      received(tr, a, d);
      tr.event(SYSTEM_ACTOR, 'alert_resolved', null, { source: a.source, dedupKey: a.dedupKey, by: d.by });
      const step = tr.activeStep;
      const mitigate =
        step && step.key === 'mitigate' && step.status === 'active'
          ? { stepKey: step.key, stepTitle: step.title, mentions: tr.mentionsFor(step, step.owners) }
          : null;
      tr.thread({ type: 'alert', runId: tr.run.id, event: 'resolved', alert, mitigate });
      tr.finish();
    });
    await repos.alerts.update(group.id, {
      status: 'resolved',
      firing: 0,
      received: group.received + 1,
      lastAt: now,
      resolvedAt: now,
      latest: { ...a },
    });
    return {
      source: a.source,
      dedupKey: a.dedupKey,
      status: 'resolved',
      action: 'resolved',
      runId: group.runId,
    };
  }

  async function one(
    repos: Repositories,
    a: NormalizedAlert,
    d: AlertDelivery,
    now: number,
  ): Promise<AlertOutcome> {
    const base = { source: a.source, dedupKey: a.dedupKey, status: a.status };
    if (a.deliveryId) {
      const claim = await repos.idempotency.claim([`alert:${a.source}:${a.deliveryId}:${a.dedupKey}`], now);
      if (!claim.claimed) return { ...base, action: 'duplicate', runId: claim.runId };
    }
    // Deliveries of one problem take turns from here (on PostgreSQL; SQLite writes one at a time).
    const group = await repos.alerts.latest(a.source, a.dedupKey, true);
    // Its run's status alone: adding to the run reads the run itself.
    const status = group ? await repos.runs.status(group.runId) : null;
    let outcome: AlertOutcome;
    if (a.status === 'resolved') {
      outcome =
        group && isOpen(status)
          ? await resolve(repos, a, d, group, now)
          : { ...base, action: 'ignored', runId: group?.runId ?? null };
    } else {
      outcome =
        group && isOpen(status) ? await add(repos, a, d, now, group) : await open(repos, a, d, group, now);
    }
    if (a.deliveryId && outcome.runId) {
      await repos.idempotency.attach([`alert:${a.source}:${a.deliveryId}:${a.dedupKey}`], outcome.runId);
    }
    return outcome;
  }

  return {
    /** Whether alerts can open incidents (INCIDENT_CHANNEL is set). */
    get enabled() {
      return deps.incidentChannel !== null;
    },

    /** Take one delivery, in one transaction: every outcome is stored when this resolves. */
    async ingest(d: AlertDelivery): Promise<AlertOutcome[]> {
      if (!deps.incidentChannel) {
        throw new ValidationError(
          'alert_intake_off',
          'INCIDENT_CHANNEL is not set: alerts cannot open incidents.',
        );
      }
      // A person acting on the run at the same moment (another process) makes a conflict: retried.
      for (let attempt = 1; ; attempt++) {
        try {
          return await deps.store.transaction(async (repos) => {
            const now = deps.clock();
            const out: AlertOutcome[] = [];
            for (const a of d.alerts) out.push(await one(repos, a, d, now));
            return out;
          });
        } catch (err) {
          if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;
