// `projectlead runs [--json]`: every run with its steps and events.
import { type CliCommand, print, withCore } from '../io.ts';
import { runJson } from '../json.ts';

export const runsCommand: CliCommand = (args, io) =>
  withCore(io, async (core) => {
    const runs = await core.store.read.runs.list();
    const events = await core.store.read.events.forRuns(runs.map((r) => r.id));
    const out = runs.map((r) => runJson(r, events.get(r.id) ?? []));
    if (args.includes('--json')) print(io, JSON.stringify(out, null, 2));
    else {
      for (const r of out) {
        const current = r.steps.find((s) => s.status === 'active' || s.status === 'blocked');
        print(
          io,
          `${r.id.padEnd(9)} ${r.status.padEnd(9)} ${r.chain.padEnd(13)} ${r.title}${current ? `  [${current.title}: ${current.status}]` : ''}`,
        );
      }
      if (out.length === 0) print(io, 'No runs yet.');
    }
    return 0;
  });
