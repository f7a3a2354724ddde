// Verb results as the API and the MCP tools show them: a run in the shape of `runs --json`
// (with its events), a step's context as is, a classification in snake_case.
import type { Classification } from '../../../routing/classifier/index.ts';
import { runJson } from '../../cli/json.ts';
import type { Run } from '../../domain/types.ts';
import type { RunService } from '../../services/run-service.ts';

export interface Presenter {
  run(run: Run): Promise<ReturnType<typeof runJson>>;
  classification(c: Classification<string>): {
    chain: string | null;
    confidence: number;
    ask: boolean;
    choices: string[];
    flags: string[];
    severity: string | null;
    release_type: string | null;
    projects: string[];
    title: string;
    explanation: string;
  };
}

export function createPresenter(runs: Pick<RunService, 'events'>): Presenter {
  return {
    async run(run) {
      return runJson(run, await runs.events(run.id));
    },
    classification: (c) => ({
      chain: c.chain,
      confidence: c.confidence,
      ask: c.ask,
      choices: [...c.choices],
      flags: [...c.flags],
      severity: c.severity,
      release_type: c.releaseType,
      projects: [...c.projects],
      title: c.title,
      explanation: c.explanation,
    }),
  };
}
