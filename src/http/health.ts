// `GET /healthz` (and HEAD), in both modes: 200 once the bot is ready, 503 before and while it
// stops.
import { respond } from './io.ts';
import type { Route } from './server.ts';

export const HEALTH_PATH = '/healthz';

export function healthRoute(isReady: () => boolean): Route {
  return {
    method: 'GET',
    path: HEALTH_PATH,
    handle(_req, res) {
      const ready = isReady();
      respond(res, ready ? 200 : 503, { ok: ready });
    },
  };
}
