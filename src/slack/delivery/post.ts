// The Web API calls the Slack channel delivers with: each bounded by a timeout; a post marked
// with its outbox row (message metadata) and, when an earlier post of the row may have reached
// Slack, looked for first (lookup.ts) so it is never posted twice; blocks Slack refuses sent
// again as the fallback text alone; a delivery problem answered on the request's response_url
// while Slack still takes it.
import type { MessageMetadata } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { DeliveryProblemNotice } from '../../domain/notices.ts';
import type { Logger } from '../../logger.ts';
import type { OutboxRow, Store } from '../../persistence/ports.ts';
import type { SlackMessage } from '../render.ts';
import { classifySlackError, isDefiniteSlackRefusal } from './errors.ts';
import { findMarkedMessage, type LookupPlace, markMetadata, type OutboxMark } from './lookup.ts';

export interface PostResult {
  ts?: string;
  channel?: string;
  /** Found already posted (its answer had been lost): not posted again. */
  adopted?: boolean;
}

export interface SlackPosterDeps {
  store: Store;
  client: WebClient;
  clock: () => number;
  log: Logger;
  /** The lease holder's id: a row is marked in flight only while this worker holds it. */
  workerId: string;
  /** Upper bound of one Web API call. */
  requestTimeoutMs: number;
}

export type SlackPoster = ReturnType<typeof createSlackPoster>;

export function createSlackPoster(deps: SlackPosterDeps) {
  const { client, log, requestTimeoutMs } = deps;
  let warnedCannotLook = false;

  /** A call that gives up after `requestTimeoutMs` (the client's own timeout should come first). */
  async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timeout = setTimeout(
        () => reject(new Error(`${method} timed out after ${requestTimeoutMs} ms`)),
        requestTimeoutMs,
      );
    });
    try {
      return await Promise.race([fn(), expired]);
    } finally {
      clearTimeout(timeout);
    }
  }

  /**
   * Post or update with blocks; when Slack refuses the content itself (invalid_blocks,
   * msg_too_long), once more with the fallback text alone before giving up.
   */
  async function send(
    method: 'chat.postMessage' | 'chat.update',
    args: Record<string, unknown>,
    message: SlackMessage,
  ): Promise<PostResult> {
    const attempt = (withBlocks: boolean) => {
      // An update without blocks keeps the old ones: clear them; a post simply has none.
      const blocks = withBlocks ? message.blocks : method === 'chat.update' ? [] : undefined;
      const body = { ...args, text: message.text, ...(blocks ? { blocks } : {}) };
      return call(method, async () =>
        method === 'chat.postMessage'
          ? ((await client.chat.postMessage(
              body as Parameters<WebClient['chat']['postMessage']>[0],
            )) as PostResult)
          : ((await client.chat.update(body as Parameters<WebClient['chat']['update']>[0])) as PostResult),
      );
    };
    try {
      return await attempt(true);
    } catch (err) {
      const failure = classifySlackError(err);
      if (failure.kind !== 'rejected_content') throw err;
      log.warn('outbox: Slack refused the blocks; sending the text alone', { error: failure.error });
      return attempt(false);
    }
  }

  /**
   * The ts of the row's earlier post, if Slack has it. A lookup Slack refuses outright (a missing
   * scope, a thread gone) cannot tell: the row is posted, at least once beating never.
   */
  async function lookUp(row: OutboxRow, place: LookupPlace, mark: OutboxMark): Promise<string | null> {
    try {
      const ts = await call('conversations.history', () => findMarkedMessage(client, place, mark));
      if (ts) {
        log.info('outbox: found the message already posted (its answer was lost); not posting again', {
          id: row.id,
          runId: row.runId,
          ts,
        });
      }
      return ts;
    } catch (err) {
      if (!isDefiniteSlackRefusal(err)) throw err;
      if (!warnedCannotLook) {
        warnedCannotLook = true;
        log.warn(
          'outbox: cannot look for a post whose answer was lost (the app needs channels:history, groups:history and im:history); posting it again',
          { id: row.id, error: classifySlackError(err).error },
        );
      }
      return null;
    }
  }

  return {
    send,

    /**
     * Post the row's message once: when an earlier post may have reached Slack, look for it first
     * and adopt it; otherwise mark the row in flight, then post it marked with its row. 'lost':
     * another worker holds the row now.
     */
    async postRow(
      row: OutboxRow,
      place: () => Promise<LookupPlace>,
      args: Record<string, unknown>,
      message: SlackMessage,
    ): Promise<PostResult | 'lost'> {
      const mark: OutboxMark = { outboxId: row.id, enqueuedAt: row.createdAt, runId: row.runId };
      if (row.maybeSent) {
        const where = await place();
        const ts = await lookUp(row, where, mark);
        if (ts) return { ts, channel: where.channel, adopted: true };
      }
      if (!(await deps.store.transaction((repos) => repos.outbox.markInFlight(row.id, deps.workerId))))
        return 'lost';
      const own = (message as SlackMessage & { metadata?: MessageMetadata }).metadata;
      return send(
        'chat.postMessage',
        { unfurl_links: false, unfurl_media: false, ...args, metadata: markMetadata(own, mark) },
        message,
      );
    },

    /** Where a DM to the user lives (its D… channel), for looking a lost post up. */
    async dmChannel(userId: string): Promise<LookupPlace> {
      const res = (await call('conversations.open', () => client.conversations.open({ users: userId }))) as {
        channel?: { id?: string };
      };
      return { channel: res.channel?.id ?? userId };
    },

    /** The permalink of a message. */
    async permalink(channel: string, ts: string): Promise<string> {
      const res = await call('chat.getPermalink', () =>
        client.chat.getPermalink({ channel, message_ts: ts }),
      );
      return res.permalink ?? '';
    },

    /** A problem notice on the request's response_url, while Slack takes it; false: use a DM. */
    async answerOnResponseUrl(notice: DeliveryProblemNotice, message: SlackMessage): Promise<boolean> {
      const url = notice.responseUrl;
      if (!url || !/^https?:\/\//.test(url) || deps.clock() >= (notice.responseUrlUntil ?? 0)) return false;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        return res.ok;
      } catch (err) {
        log.info('outbox: the response_url did not take the answer; sending it by DM', {
          error: err instanceof Error ? err.message : String(err),
        });
        return false;
      }
    },
  };
}
