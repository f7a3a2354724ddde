// `node --import tsx --import ./test/support/no-slack.ts …`: a process in which importing any
// Slack package fails. The resolve hook runs before tsx's (registered later, asked first).
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  if (/^@slack\\//.test(specifier)) throw new Error('Slack is not allowed in this process: ' + specifier);
  return next(specifier, context);
}`;

register(`data:text/javascript,${encodeURIComponent(hook)}`);
