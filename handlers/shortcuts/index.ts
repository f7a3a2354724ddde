import type { App } from '@slack/bolt';
import { CALLBACK } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { declareIncident } from './declare-incident.ts';

export function register(app: App, deps: HandlerDeps): void {
  app.shortcut(CALLBACK.declareIncident, declareIncident(deps));
}
