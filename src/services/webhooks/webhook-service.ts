// Webhook subscriptions and the events owed to them. Events are read off the notices a state
// change enqueues (src/domain/webhook-events.ts) and written to the outbox in that same
// transaction, one row per subscription: a run's transitions through a TransitionHook, the
// clocks' reminders and escalations through `enqueueForNotices`. The outbox's webhook channel
// (src/webhooks/channel.ts) delivers them, signed.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Playbook } from '../../../routing/playbooks/schema.ts';
import type { Clock } from '../../core/clock.ts';
import { PRINCIPALS } from '../../core/principals.ts';
import type { Notice } from '../../domain/notices.ts';
import type { RunTransition } from '../../domain/run-machine.ts';
import type { Run } from '../../domain/types.ts';
import {
  assignedData,
  type EventIntent,
  eventOfNotice,
  type WebhookNotice,
} from '../../domain/webhook-events.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Repositories, Store, WebhookSubscription } from '../../persistence/ports.ts';
import type { TransitionHook } from '../run-service.ts';
import { stepContexts } from '../step-context.ts';

export type { WebhookSubscription };

export interface WebhookServiceDeps {
  store: Store;
  clock: Clock;
  playbooks: Playbook[];
}

/** A signing secret as Standard Webhooks write it: `whsec_` and 24 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('bad_webhook_url', `"${url}" is not a URL.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new ValidationError('bad_webhook_url', `"${url}" is not an http(s) URL.`);
  return parsed.toString();
}

export function createWebhookService(deps: WebhookServiceDeps) {
  const playbookById = new Map(deps.playbooks.map((p) => [p.id, p]));

  /** The subscriptions an event goes to: every `--all` one, and those of a user it concerns. */
  async function audience(repos: Repositories, intent: EventIntent, subs: WebhookSubscription[]) {
    const out: WebhookSubscription[] = [];
    for (const sub of subs) {
      if (sub.userId === null) out.push(sub);
      else {
        const principals = [sub.userId, ...(await repos.usergroups.groupsOf(sub.userId))];
        if (intent.concerns.some((p) => principals.includes(p))) out.push(sub);
      }
    }
    return out;
  }

  /** The events these notices stand for, each notice once (a notice also goes out by DM). */
  function intentsOf(notices: Notice[], run: Run | null): EventIntent[] {
    const seen = new Set<string>();
    const out: EventIntent[] = [];
    for (const notice of notices) {
      const key = JSON.stringify(notice);
      if (seen.has(key)) continue;
      seen.add(key);
      const intent = eventOfNotice(notice, run);
      if (intent) out.push(intent);
    }
    return out;
  }

  /** Write the rows for these events, in order, inside the caller's transaction. */
  async function enqueue(repos: Repositories, intents: EventIntent[], run: Run | null, now: number) {
    if (intents.length === 0) return;
    const subs = await repos.webhooks.active();
    if (subs.length === 0) return;
    const rows = [];
    for (const intent of intents) {
      let data = intent.data;
      if (intent.type === 'step.assigned' && run && intent.stepKey) {
        const step = run.steps.find((s) => s.key === intent.stepKey);
        if (step) {
          const [context] = await stepContexts(repos, playbookById, [{ run, step }]);
          if (context) data = assignedData(context, intent.data.phase);
        }
      }
      for (const sub of await audience(repos, intent, subs)) {
        const notice: WebhookNotice = {
          type: 'webhook',
          runId: intent.runId,
          webhookId: `msg_${randomUUID().replace(/-/g, '')}`,
          event: { type: intent.type, timestamp: new Date(now).toISOString(), data },
        };
        rows.push({
          // The row belongs to no run thread: a failing receiver never holds Slack messages back.
          runId: null,
          delivery: { kind: 'webhook' as const, subscriptionId: sub.id, runId: intent.runId },
          notice,
        });
      }
    }
    if (rows.length > 0) await repos.outbox.enqueue(rows, now);
  }

  /** After each run transition, in its transaction: its events for the subscribers. */
  const hook: TransitionHook = {
    async afterTransition(repos, tr: RunTransition, now) {
      const notices = tr.messages.map((m) => m.notice);
      await enqueue(repos, intentsOf(notices, tr.run), tr.run, now);
    },
  };

  return {
    hook,

    /** The events of notices enqueued outside a run transition (the clocks), in the same transaction. */
    async enqueueForNotices(repos: Repositories, notices: Notice[], now: number): Promise<void> {
      const byRun = new Map<string, Notice[]>();
      for (const n of notices) if (n.runId) byRun.set(n.runId, [...(byRun.get(n.runId) ?? []), n]);
      for (const [runId, list] of byRun) {
        const run = await repos.runs.get(runId);
        await enqueue(repos, intentsOf(list, run), run, now);
      }
    },

    /** Subscribe a URL: to one user's steps, or to every event. The secret is shown this once. */
    async add(input: { url: string; userId: string | null; owner?: string | null }) {
      const url = checkUrl(input.url);
      if (input.userId !== null && !PRINCIPALS.isUser(input.userId))
        throw new ValidationError('bad_requester', `"${input.userId}" is not a Slack user ID.`);
      const owner = input.owner ?? input.userId;
      if (owner && !PRINCIPALS.isUser(owner))
        throw new ValidationError('bad_requester', `"${owner}" is not a Slack user ID.`);
      const secret = newSecret();
      const id = await deps.store.transaction((repos) =>
        repos.webhooks.insert({ url, secret, userId: input.userId, owner: owner ?? null }, deps.clock()),
      );
      return { id, url, secret, userId: input.userId, owner: owner ?? null };
    },

    list: () => deps.store.read.webhooks.list(),

    async remove(id: number): Promise<void> {
      const removed = await deps.store.transaction((repos) => repos.webhooks.remove(id));
      if (!removed) throw new NotFoundError('webhook_not_found', `There is no webhook ${id}.`);
    },

    /** Deliver to a paused subscription again (new events; those given up on stay so). */
    async resume(id: number): Promise<void> {
      const sub = await deps.store.read.webhooks.get(id);
      if (!sub) throw new NotFoundError('webhook_not_found', `There is no webhook ${id}.`);
      await deps.store.transaction((repos) => repos.webhooks.resume(id));
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
