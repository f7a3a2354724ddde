// Every message the outbox posts carries its row in Slack message metadata, so that a post whose
// answer was lost (a timeout, a reset after Slack took it, a process killed mid-call) can be found
// again before the row is posted a second time: in the thread (conversations.replies) or the
// channel (conversations.history), asked with include_all_metadata, from shortly before the row
// was enqueued.
import type { MessageMetadata } from '@slack/types';
import type { WebClient } from '@slack/web-api';

/** The event type of the outbox's own marker, for messages that carry no other metadata. */
export const OUTBOX_EVENT_TYPE = 'projectlead_outbox';

/** Which row a message was posted for. */
export interface OutboxMark {
  outboxId: number;
  /** When the row was enqueued (ms): with the id, unique across databases sharing a workspace. */
  enqueuedAt: number;
  runId: string | null;
}

/** The message's metadata with the row's marker added (its own event type kept, if it has one). */
export function markMetadata(own: MessageMetadata | undefined, mark: OutboxMark): MessageMetadata {
  return {
    event_type: own?.event_type ?? OUTBOX_EVENT_TYPE,
    event_payload: {
      ...(own?.event_payload ?? {}),
      outbox_id: mark.outboxId,
      outbox_enqueued_at: mark.enqueuedAt,
      ...(mark.runId && !own?.event_payload?.run_id ? { run_id: mark.runId } : {}),
    },
  };
}

function isMarked(message: unknown, mark: OutboxMark): boolean {
  const payload = (message as { metadata?: { event_payload?: Record<string, unknown> } }).metadata
    ?.event_payload;
  return (
    payload !== undefined &&
    Number(payload.outbox_id) === mark.outboxId &&
    Number(payload.outbox_enqueued_at) === mark.enqueuedAt
  );
}

/** Where to look: a thread (its parent's ts) or the channel's top level. */
export interface LookupPlace {
  channel: string;
  threadTs?: string | null;
}

export interface LookupOptions {
  /** Slack's clock may differ from ours: look this far before the row was enqueued. */
  skewMs?: number;
  /** Pages of 200 messages read at most. */
  maxPages?: number;
}

interface Page {
  messages?: unknown[];
  response_metadata?: { next_cursor?: string };
}

/**
 * The ts of the message posted for the row, if Slack has it. Errors are the Web API client's
 * (the caller classifies them).
 */
export async function findMarkedMessage(
  client: WebClient,
  place: LookupPlace,
  mark: OutboxMark,
  opts: LookupOptions = {},
): Promise<string | null> {
  const oldest = (Math.max(0, mark.enqueuedAt - (opts.skewMs ?? 10 * 60_000)) / 1000).toFixed(6);
  let cursor: string | undefined;
  for (let page = 0; page < (opts.maxPages ?? 10); page++) {
    const common = {
      channel: place.channel,
      oldest,
      include_all_metadata: true,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    };
    const res = (
      place.threadTs
        ? await client.conversations.replies({ ...common, ts: place.threadTs })
        : await client.conversations.history(common)
    ) as Page;
    const found = (res.messages ?? []).find((m) => isMarked(m, mark)) as { ts?: string } | undefined;
    if (found?.ts) return found.ts;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return null;
  }
  return null;
}
