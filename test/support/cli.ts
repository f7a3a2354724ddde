// Runs the `projectlead` CLI in-process with the given environment and stdin; collects its output.
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.ts';

export async function cli(argv: string[], env: Record<string, string>, input = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const stdin = new PassThrough();
  stdin.end(input);
  const code = await main(argv, { stdout, stderr, stdin, env });
  return { code, out, err };
}
