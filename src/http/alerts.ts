// `POST /api/v1/alerts/{source}`: monitoring tools post their own webhook payloads here with an
// alerts token (`projectlead tokens create <name> --alerts`). PagerDuty's and Sentry's HMAC
// signatures are checked too when their secrets are set. 202 once the alert and its effect (a
// run opened, counted or resolved) are stored in one transaction; 401 a bad token or signature;
// 403 a token that is not an alerts token; 400 a body that is not the source's format; 404 an
// unknown source; 503 while INCIDENT_CHANNEL is unset. Sentry, which cannot set headers, may
// send the token as `?token=`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALERT_SOURCES, AlertFormatError, type AlertSource, isAlertSource } from '../alerts/alert.ts';
import { checkPagerDutySignature, checkSentrySignature, type SignatureCheck } from '../alerts/signatures.ts';
import { ALERT_PARSERS } from '../alerts/sources/index.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../logger.ts';
import type { AlertService } from '../services/alerts/alert-service.ts';
import { bearerToken, header, readBody, respond, respondError, sendTooLarge } from './io.ts';
import type { Route } from './server.ts';

/** Alert payloads over this size are refused (Alertmanager groups of hundreds fit). */
export const ALERT_BODY_LIMIT = 1024 * 1024;

export interface AlertRouteDeps {
  alerts: AlertService;
  /** The token a bearer secret is: its name and whether it is an alerts token; null: none. */
  authenticate(secret: string): Promise<{ name: string; alerts: boolean } | null>;
  secrets: { pagerduty?: string | undefined; sentry?: string | undefined };
  clock: Clock;
  logger: Logger;
}

function signature(
  source: AlertSource,
  deps: AlertRouteDeps,
  req: IncomingMessage,
  raw: Buffer,
  body: unknown,
) {
  const now = deps.clock();
  if (source === 'pagerduty' && deps.secrets.pagerduty) {
    const occurredAt = (body as { event?: { occurred_at?: unknown } } | null)?.event?.occurred_at;
    return checkPagerDutySignature({
      secret: deps.secrets.pagerduty,
      header: header(req, 'x-pagerduty-signature'),
      rawBody: raw,
      occurredAt: typeof occurredAt === 'string' ? occurredAt : null,
      now,
    });
  }
  if (source === 'sentry' && deps.secrets.sentry) {
    return checkSentrySignature({
      secret: deps.secrets.sentry,
      header: header(req, 'sentry-hook-signature'),
      timestamp: header(req, 'sentry-hook-timestamp'),
      rawBody: raw,
      now,
    });
  }
  return { ok: true } as SignatureCheck;
}

/** Sentry cannot set headers: its deliveries may carry the token as `?token=`. */
function queryToken(req: IncomingMessage): string | null {
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
}

export function alertRoute(deps: AlertRouteDeps): Route {
  return {
    method: 'POST',
    path: '/api/v1/alerts/*',
    maxBodyBytes: ALERT_BODY_LIMIT,
    async handle(req: IncomingMessage, res: ServerResponse, { rest }) {
      const source = rest;
      if (!isAlertSource(source)) {
        return respondError(
          res,
          404,
          'unknown_alert_source',
          `There is no alert source "${source}"; the sources are ${ALERT_SOURCES.join(', ')}.`,
        );
      }
      const secret = bearerToken(req) ?? (source === 'sentry' ? queryToken(req) : null);
      const token = secret ? await deps.authenticate(secret) : null;
      if (!token) {
        return respondError(
          res,
          401,
          'unauthorized',
          'Send an alerts token as "Authorization: Bearer <token>".',
          {
            'www-authenticate': 'Bearer',
          },
        );
      }
      if (!token.alerts) {
        return respondError(
          res,
          403,
          'alerts_token_required',
          'Alerts are posted with an alerts token (projectlead tokens create <name> --alerts).',
        );
      }
      if (!deps.alerts.enabled) {
        return respondError(
          res,
          503,
          'alert_intake_off',
          'INCIDENT_CHANNEL is not set: alerts cannot open incidents.',
        );
      }
      const text = await readBody(req, ALERT_BODY_LIMIT);
      if (text === null) return sendTooLarge(res, ALERT_BODY_LIMIT);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return respondError(res, 400, 'bad_alert', `The body is not JSON; a ${source} webhook payload is.`);
      }
      const check = signature(source, deps, req, Buffer.from(text, 'utf8'), body);
      if (!check.ok) return respondError(res, 401, 'bad_signature', `Refused: ${check.reason}.`);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
      );
      let alerts: ReturnType<(typeof ALERT_PARSERS)[AlertSource]>;
      try {
        alerts = ALERT_PARSERS[source]({ body, headers });
      } catch (err) {
        if (err instanceof AlertFormatError) return respondError(res, 400, 'bad_alert', err.message);
        throw err;
      }
      const outcomes = await deps.alerts.ingest({ alerts, raw: text, by: token.name });
      deps.logger.info('Alert taken', { source, token: token.name, outcomes: outcomes.map((o) => o.action) });
      respond(res, 202, {
        accepted: outcomes.map((o) => ({
          dedup_key: o.dedupKey,
          status: o.status,
          action: o.action,
          run_id: o.runId,
          ...(o.previousRunId ? { previous_run_id: o.previousRunId } : {}),
        })),
      });
    },
  };
}
