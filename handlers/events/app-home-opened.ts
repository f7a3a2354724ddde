// App Home: the steps waiting on me, the open runs and the recent metrics.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { buildAppHome } from '../../src/slack/blocks/index.ts';
import { type HandlerDeps, METRICS_DAYS } from '../deps.ts';

export function appHomeOpened(deps: HandlerDeps) {
  return async ({ event, body }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab !== undefined && event.tab !== 'home') return;
    const actor = await deps.actorOf(body);
    const [waiting, openRuns, metrics] = await Promise.all([
      deps.verbs.my_steps({ actor, input: {} }),
      deps.verbs.list_runs({ actor, input: { limit: 25 } }),
      deps.verbs.get_metrics({ actor, input: { since_days: METRICS_DAYS } }),
    ]);
    await deps.slack.views.publish({
      user_id: event.user,
      view: buildAppHome({ waiting, openRuns, metrics, playbooks: deps.playbooks }),
    });
  };
}
