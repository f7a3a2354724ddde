// `projectlead digest --dry-run daily|weekly`, `metrics [--json] | --chart <file>`, `postmortem RUN-ID`:
// read-only views of the clocks and reports, on the same database the bot uses.
import { writeFileSync } from 'node:fs';
import { DIGEST_KINDS, type DigestKind } from '../../domain/reports.ts';
import { CHART_HEIGHT, CHART_WIDTH, chartPng } from '../../services/metrics/chart-png.ts';
import { metricsText } from '../../services/reports/report-text.ts';
import { cliActor } from '../actor.ts';
import { type CliCommand, print, withCore } from '../io.ts';

export const digestCommand: CliCommand = async (args, io) => {
  const kind = (args.find((a) => !a.startsWith('--')) ?? 'daily') as DigestKind;
  if (!args.includes('--dry-run') || !DIGEST_KINDS.includes(kind)) {
    io.stderr.write('usage: projectlead digest --dry-run daily|weekly [--json]\n');
    return 2;
  }
  return withCore(io, async (core) => {
    const { digest, markdown } = await core.verbs.get_digest({ actor: cliActor(), input: { period: kind } });
    print(io, args.includes('--json') ? JSON.stringify(digest, null, 2) : markdown);
    return 0;
  });
};

export const metricsCommand: CliCommand = async (args, io) => {
  const at = args.indexOf('--chart');
  if (at >= 0) {
    const file = args[at + 1];
    if (!file || file.startsWith('--')) {
      io.stderr.write('usage: projectlead metrics --chart <file.png>\n');
      return 2;
    }
    return withCore(io, async (core) => {
      // The weekly digest's picture, from the same data as of now.
      const png = await chartPng(await core.metrics.chart());
      writeFileSync(file, png);
      print(io, `wrote ${file} (${CHART_WIDTH}×${CHART_HEIGHT} PNG, ${png.length} bytes)`);
      return 0;
    });
  }
  return withCore(io, async (core) => {
    const report = await core.verbs.get_metrics({ actor: cliActor(), input: {} });
    print(io, args.includes('--json') ? JSON.stringify(report, null, 2) : metricsText(report));
    return 0;
  });
};

export const postmortemCommand: CliCommand = async (args, io) => {
  const runId = args.find((a) => !a.startsWith('--'));
  if (!runId) {
    io.stderr.write('usage: projectlead postmortem <RUN-ID>\n');
    return 2;
  }
  return withCore(io, async (core) => {
    const draft = await core.verbs.draft_postmortem({
      actor: cliActor(),
      input: { run_id: runId.toUpperCase() },
    });
    print(io, args.includes('--json') ? JSON.stringify(draft, null, 2) : draft.markdown);
    return 0;
  });
};
