// What every CLI command is given and shares: its streams and environment, printing, and the
// core opened on the bot's database for the length of one command.
import { loadCoreConfig } from '../config.ts';
import { type Core, createCore } from '../core.ts';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

export const print = (io: CliIo, text: string) => io.stdout.write(`${text}\n`);

/** Run `fn` on the core (database, playbooks, services), closed again whatever happens. */
export async function withCore(io: CliIo, fn: (core: Core) => Promise<number>): Promise<number> {
  const core = await createCore(loadCoreConfig(io.env));
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}
