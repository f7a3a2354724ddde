// `projectlead corrections export` and `corrections import <file|->`: the classifier's learned
// corrections as JSONL.
import { readFileSync } from 'node:fs';
import {
  formatCorrectionsJsonl,
  isChainId,
  parseCorrectionsJsonl,
} from '../../../routing/classifier/index.ts';
import { type CliCommand, readAll, withCore } from '../io.ts';

export const correctionsCommand: CliCommand = (args, io) =>
  withCore(io, async (core) => {
    if (args[0] === 'export') {
      const all = (await core.store.read.corrections.all()).flatMap((c) =>
        isChainId(c.chain) && (c.predicted === null || isChainId(c.predicted))
          ? [{ text: c.text, chain: c.chain, predicted: c.predicted, at: c.createdAt }]
          : [],
      );
      io.stdout.write(formatCorrectionsJsonl(all));
      return 0;
    }
    if (args[0] === 'import' && args[1]) {
      const text = args[1] === '-' ? await readAll(io.stdin) : readFileSync(args[1], 'utf8');
      const parsed = parseCorrectionsJsonl(text);
      await core.store.transaction(async (repos) => {
        for (const c of parsed) {
          await repos.corrections.insert({
            text: c.text,
            chain: c.chain,
            predicted: c.predicted ?? null,
            actor: 'import',
            createdAt: c.at ?? core.clock(),
          });
        }
      });
      io.stderr.write(`Imported ${parsed.length} correction(s).\n`);
      return 0;
    }
    io.stderr.write('usage: projectlead corrections export | corrections import <file|->\n');
    return 2;
  });
