// Linked runs in the transaction of the change (the domain's rules are in src/domain/links.ts):
// a step handed to a linked run starts that run before the parent is saved, and the threads link
// each other; a run whose status changed tells the runs it links, so a parent's step follows its
// child, and a parent cancelled cancels or lets go of the children it waited on, as asked.
import {
  addLink,
  childRequest,
  detach,
  inverseLink,
  inverseRelation,
  LINK_ACTOR,
  linksOf,
  type RunLink,
} from '../../domain/links.ts';
import type { Notice } from '../../domain/notices.ts';
import type { RunTransition } from '../../domain/run-machine.ts';
import { cancelRun } from '../../domain/transitions/hand-over.ts';
import { followLinkedRun } from '../../domain/transitions/linked-runs.ts';
import type { Run, RunRequest } from '../../domain/types.ts';
import type { OutboxRow, Repositories } from '../../persistence/ports.ts';

type OutboxMessage = Pick<OutboxRow, 'runId' | 'delivery' | 'notice'>;

/** What the links need of the run service (it builds this hook in: see run-service.ts). */
export interface LinkRuns {
  startIn(
    repos: Repositories,
    request: RunRequest,
    now: number,
    then?: (tr: RunTransition) => void,
  ): Promise<{ run: Run; created: boolean }>;
  applyIn(
    repos: Repositories,
    runId: string,
    now: number,
    apply: (tr: RunTransition) => unknown,
  ): Promise<Run>;
}

type Phase = (repos: Repositories, tr: RunTransition, now: number) => Promise<void>;

/** The thread of a run, when its root message is posted. */
const threadOf = (run: Run) =>
  run.channelId && (run.threadTs ?? run.rootTs)
    ? { channelId: run.channelId, threadTs: (run.threadTs ?? run.rootTs)! }
    : null;

/**
 * The two messages of a new link: in the new run's thread about the run it came from, and in
 * that run's thread about the new one (a reply that waits for the new run's root and links to it;
 * a plain thread message of that run when its own thread is not posted yet).
 */
export function linkMessages(
  from: Run,
  to: Run,
  relation: RunLink['relation'],
  why: { here: string; there: string; stepTitle?: string },
): { inNew: Notice; inOld: OutboxMessage } {
  const inNew: Notice = {
    type: 'run_linked',
    runId: to.id,
    linkedRunId: from.id,
    linkedChain: from.chain,
    linkedTitle: from.title,
    reason: why.here,
    relation: inverseRelation(relation),
    ...(why.stepTitle ? { stepTitle: why.stepTitle } : {}),
  };
  const place = threadOf(from);
  const about = {
    linkedChain: to.chain,
    linkedTitle: to.title,
    reason: why.there,
    relation,
    ...(why.stepTitle ? { stepTitle: why.stepTitle } : {}),
  };
  const inOld: OutboxMessage = place
    ? {
        runId: to.id,
        delivery: { kind: 'channel', channelId: place.channelId },
        notice: { type: 'run_linked', runId: to.id, linkedRunId: from.id, ...about, replyIn: place },
      }
    : {
        runId: from.id,
        delivery: { kind: 'thread' },
        notice: { type: 'run_linked', runId: from.id, linkedRunId: to.id, ...about },
      };
  return { inNew, inOld };
}

/**
 * Start a run linked to `from` inside the caller's transaction: `from` gains the link (the
 * caller saves it), the new run links back, and both threads say so. `created` false: the
 * request had started that run already (the same idempotency key), and nothing changed.
 */
export async function startLinked(
  runs: LinkRuns,
  repos: Repositories,
  now: number,
  from: Run,
  request: RunRequest,
  relation: RunLink['relation'],
  why: { here: string; there: string; stepKey?: string; stepTitle?: string },
): Promise<{ run: Run; created: boolean; link: RunLink }> {
  let inOld: OutboxMessage | null = null;
  const back: RunLink = {
    relation,
    runId: '',
    chain: request.chain,
    title: request.title,
    status: 'active',
    ...(why.stepKey ? { stepKey: why.stepKey } : {}),
  };
  const { run, created } = await runs.startIn(
    repos,
    {
      ...request,
      context: {
        ...request.context,
        links: [inverseLink(from, { ...back, runId: from.id })],
      },
    },
    now,
    (tr) => {
      const m = linkMessages(from, tr.run, relation, why);
      // Right after the root message: where the run came from comes before its first handoff.
      tr.messages.splice(1, 0, { delivery: { kind: 'thread' }, notice: m.inNew });
      inOld = m.inOld;
    },
  );
  const link: RunLink = { ...back, runId: run.id, title: run.title, status: run.status };
  if (!created) return { run, created, link };
  addLink(from, link);
  if (inOld) await repos.outbox.enqueue([inOld], now);
  return { run, created, link };
}

export function createLinkHook(deps: { runs: () => LinkRuns }): {
  beforeSave: Phase;
  afterTransition: Phase;
} {
  return {
    /** Steps handed to linked runs start those runs; the parent is saved with their links. */
    async beforeSave(repos, tr, now) {
      for (const idx of tr.linkStarts) {
        const step = tr.run.steps[idx];
        const link = step && tr.linkOf(step);
        if (!step || !link) continue;
        const { run: child, created } = await startLinked(
          deps.runs(),
          repos,
          now,
          tr.run,
          childRequest(tr.run, step, link),
          'step',
          {
            stepKey: step.key,
            stepTitle: step.title,
            here: `it runs ${tr.run.id}'s ${step.title}`,
            there: `${step.title} is done when it is done`,
          },
        );
        if (created) tr.event('system', 'run_linked', step, { linkedRunId: child.id, relation: 'step' });
      }
    },

    /** A change of status is told to every run linked; a cancel does as it was asked with children. */
    async afterTransition(repos, tr, now) {
      if (tr.run.status === tr.statusBefore) return;
      const runs = deps.runs();
      const onCancel = tr.linkedOnCancel;
      for (const link of linksOf(tr.run)) {
        const child = onCancel?.runs.includes(link.runId) ? onCancel.do : null;
        await runs.applyIn(repos, link.runId, now, (other) => {
          if (child === 'cancel') {
            followLinkedRun(other, tr.run);
            return cancelRun(other, LINK_ACTOR, { reason: `${tr.run.id} was cancelled`, linked: 'cancel' });
          }
          if (child !== 'keep') return followLinkedRun(other, tr.run);
          detach(other.run, tr.run.id);
          other.thread({
            type: 'run_linked',
            runId: other.run.id,
            linkedRunId: tr.run.id,
            linkedChain: tr.run.chain,
            linkedTitle: tr.run.title,
            reason: `${tr.run.id} was cancelled; ${other.run.id} goes on by itself`,
            relation: 'parent',
          });
          followLinkedRun(other, tr.run);
          other.finish();
        });
      }
    },
  };
}
