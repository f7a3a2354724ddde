import type { App } from '@slack/bolt';
import { EVENT } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { appHomeOpened } from './app-home-opened.ts';
import { appMention } from './app-mention.ts';
import { memberJoinedChannel } from './member-joined-channel.ts';

export function register(app: App, deps: HandlerDeps): void {
  app.event(EVENT.appMention, appMention(deps));
  app.event(EVENT.appHomeOpened, appHomeOpened(deps));
  app.event(EVENT.memberJoinedChannel, memberJoinedChannel(deps));
}
