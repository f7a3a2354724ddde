// Every Bolt listener, registered by kind. Listeners are thin: ack, parse, one service call,
// render; errors go to the one `app.error` (src/slack/error-handler.ts).
import type { App } from '@slack/bolt';
import { register as registerActions } from './actions/index.ts';
import { register as registerCommands } from './commands/index.ts';
import type { HandlerDeps } from './deps.ts';
import { register as registerEvents } from './events/index.ts';
import { register as registerShortcuts } from './shortcuts/index.ts';
import { register as registerViews } from './views/index.ts';

export type { HandlerDeps } from './deps.ts';

export function registerHandlers(app: App, deps: HandlerDeps): void {
  registerCommands(app, deps);
  registerShortcuts(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
}
