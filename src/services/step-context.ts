// The context of a step as every surface hands it to its owner (src/domain/step-context.ts),
// with the one fact the run does not hold: the step's deadline, which is its `done_due` timer.
import type { Playbook } from '../../routing/playbooks/schema.ts';
import { type StepContext, stepContext } from '../domain/step-context.ts';
import type { Run, Step } from '../domain/types.ts';
import type { Repositories } from '../persistence/ports.ts';
import { TIMER } from './clocks/timer-kinds.ts';

type Reader = Pick<Repositories, 'timers'>;

/** Each step's completion deadline in these runs (a fired one still says when it was due). */
export async function stepDeadlines(repos: Reader, runIds: string[]): Promise<Map<number, number>> {
  const due = new Map<number, number>();
  for (const runId of new Set(runIds)) {
    for (const t of await repos.timers.forRun(runId)) {
      if (t.kind !== TIMER.doneDue || t.status === 'cancelled' || t.stepId === null) continue;
      due.set(t.stepId, Math.max(due.get(t.stepId) ?? 0, t.dueAt));
    }
  }
  return due;
}

/** The contexts of these steps, deadlines read from `repos`. */
export async function stepContexts(
  repos: Reader,
  playbooks: Map<string, Playbook>,
  items: { run: Run; step: Step }[],
): Promise<StepContext[]> {
  const due = await stepDeadlines(
    repos,
    items.map((i) => i.run.id),
  );
  return items.map(({ run, step }) =>
    stepContext(run, step, {
      chainTitle: playbooks.get(run.chain)?.title ?? run.chain,
      dueAt: step.id === null ? null : (due.get(step.id) ?? null),
    }),
  );
}
