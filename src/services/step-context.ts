// The context of a step as every surface hands it to its owner (src/domain/step-context.ts),
// with the one fact the run does not hold: the step's deadline, which is its `done_due` timer.
import type { Playbook } from '../../routing/playbooks/schema.ts';
import { type StepContext, stepContext } from '../domain/step-context.ts';
import type { Run, Step } from '../domain/types.ts';
import type { Repositories } from '../persistence/ports.ts';
import { TIMER } from './clocks/timer-kinds.ts';

type Reader = Pick<Repositories, 'timers'>;

/** Each of these steps' completion deadline (a fired one still says when it was due). */
export function stepDeadlines(repos: Reader, steps: Step[]): Promise<Map<number, number>> {
  const ids = steps.flatMap((s) => (s.id === null ? [] : [s.id]));
  return repos.timers.latestDue([...new Set(ids)], TIMER.doneDue);
}

/** The contexts of these steps, deadlines read from `repos`. */
export async function stepContexts(
  repos: Reader,
  playbooks: Map<string, Playbook>,
  items: { run: Run; step: Step }[],
): Promise<StepContext[]> {
  const due = await stepDeadlines(
    repos,
    items.map((i) => i.step),
  );
  return items.map(({ run, step }) =>
    stepContext(run, step, {
      chainTitle: playbooks.get(run.chain)?.title ?? run.chain,
      dueAt: step.id === null ? null : (due.get(step.id) ?? null),
    }),
  );
}
