// What a failed Web API call means for the outbox: wait as told (429), try again later (5xx,
// network, timeout), send again without blocks (too big or invalid), or give up (permanent).
import { ErrorCode } from '@slack/web-api';

export type CallFailure =
  | { kind: 'rate_limited'; retryAfterMs: number; error: string }
  | { kind: 'transient'; error: string }
  | { kind: 'rejected_content'; error: string }
  | { kind: 'permanent'; error: string };

/** Slack errors that no retry can fix: the message is recorded as failed and reported. */
export const PERMANENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'channel_is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'team_access_not_granted',
  'ekm_access_denied',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'no_text',
  'invalid_arguments',
  'invalid_arg_name',
  'too_many_attachments',
  'msg_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'as_user_not_supported',
  'duplicate_channel_not_found',
  'duplicate_message_not_found',
  'team_not_found',
  'app_missing_action_url',
]);

/** Content Slack refused as such: worth one more try with the fallback text alone. */
export const CONTENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'too_many_attachments',
]);

interface CodedError {
  code?: unknown;
  retryAfter?: unknown;
  data?: { error?: unknown };
  statusCode?: unknown;
  message?: unknown;
}

export function classifySlackError(err: unknown): CallFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as CodedError;
  switch (e.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter : 1;
      return {
        kind: 'rate_limited',
        retryAfterMs: seconds * 1000,
        error: `ratelimited (retry after ${seconds}s)`,
      };
    }
    case ErrorCode.PlatformError: {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      if (CONTENT_SLACK_ERRORS.has(code)) return { kind: 'rejected_content', error: code };
      if (PERMANENT_SLACK_ERRORS.has(code)) return { kind: 'permanent', error: code };
      // internal_error, fatal_error, service_unavailable, request_timeout, ratelimited without
      // a header, and codes Slack adds later: worth another try, up to the attempt limit.
      return { kind: 'transient', error: code };
    }
    case ErrorCode.HTTPError: {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      if (status >= 500 || status === 408 || status === 0)
        return { kind: 'transient', error: `http_${status}` };
      return { kind: 'permanent', error: `http_${status}` };
    }
    case ErrorCode.RequestError:
      return { kind: 'transient', error: `request_error: ${String(e.message ?? '')}`.slice(0, 300) };
    default:
      return {
        kind: 'transient',
        error: `${err instanceof Error ? err.message : String(err)}`.slice(0, 300),
      };
  }
}

/** Slack's own "try again" answers: no sign of what the call did. */
const SLACK_BUSY_ERRORS: ReadonlySet<string> = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

/**
 * Slack answered the call with a definite error code (not a 429, 5xx, network error, timeout or
 * "try again"): e.g. a lookup it will not do (`missing_scope`, `thread_not_found`).
 */
export function isDefiniteSlackRefusal(err: unknown): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as CodedError;
  if (e.code !== ErrorCode.PlatformError) return false;
  const code = typeof e.data?.error === 'string' ? e.data.error : '';
  return code !== '' && !SLACK_BUSY_ERRORS.has(code);
}
