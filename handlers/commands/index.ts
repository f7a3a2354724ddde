import type { App } from '@slack/bolt';
import { COMMAND_LEAD } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { leadCommand } from './lead.ts';

export function register(app: App, deps: HandlerDeps): void {
  app.command(COMMAND_LEAD, leadCommand(deps));
}
