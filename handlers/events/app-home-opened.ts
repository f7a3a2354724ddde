// App Home: the steps waiting on me, the open runs and the recent metrics.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { buildAppHome } from '../../src/slack/blocks/index.ts';
import type { HandlerDeps } from '../deps.ts';

export function appHomeOpened(deps: HandlerDeps) {
  return async ({ event }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab !== undefined && event.tab !== 'home') return;
    const [waiting, openRuns, metrics] = await Promise.all([
      deps.runs.waitingOn(event.user),
      deps.requests.openRuns(25),
      deps.reports.metrics(),
    ]);
    await deps.slack.views.publish({
      user_id: event.user,
      view: buildAppHome({ waiting, openRuns, metrics, playbooks: deps.playbooks }),
    });
  };
}
