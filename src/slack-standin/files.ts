// files.*: Slack's external file upload. files.getUploadURLExternal hands out an upload URL on
// the fake's own server, the bytes are POSTed there, files.completeUploadExternal shares the
// uploaded files in a channel (the bot must be able to post there).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler, SlackStore } from './store.ts';
import type { Json } from './types.ts';
import { fail, optionalString, requireString, sendJson } from './wire.ts';

export interface FakeFile {
  id: string;
  filename: string;
  /** The length announced to files.getUploadURLExternal. */
  length: number;
  /** The bytes POSTed to the upload URL, once they came. */
  bytes: Buffer | null;
  /** Set once files.completeUploadExternal shared it. */
  shared: { channel: string; title: string | undefined; comment: string | undefined } | null;
}

export class FakeFiles {
  readonly files = new Map<string, FakeFile>();
  private next = 1;

  constructor(
    private readonly store: SlackStore,
    private readonly baseUrl: string,
  ) {}

  methods(): Record<string, Handler> {
    return {
      'files.getUploadURLExternal': (args) => this.getUploadUrl(args),
      'files.completeUploadExternal': (args) => this.complete(args),
    };
  }

  /** Files shared in channels, in the order they were shared. */
  shared(): FakeFile[] {
    return [...this.files.values()].filter((f) => f.shared !== null);
  }

  private getUploadUrl(args: Json): Json {
    const filename = requireString(args, 'filename');
    const length = Number(args.length);
    if (!Number.isInteger(length) || length <= 0) fail('invalid_arguments');
    const id = `F${String(this.next++).padStart(8, '0')}`;
    this.files.set(id, { id, filename, length, bytes: null, shared: null });
    return { upload_url: `${this.baseUrl}/upload/${id}`, file_id: id };
  }

  private complete(args: Json): Json {
    const raw = typeof args.files === 'string' ? (JSON.parse(args.files) as unknown) : args.files;
    if (!Array.isArray(raw) || raw.length === 0) fail('invalid_arguments');
    const channel = this.store.usableChannel({ channel: requireString(args, 'channel_id') }, 'post');
    const done: Json[] = [];
    for (const entry of raw as { id?: unknown; title?: unknown }[]) {
      const file = typeof entry.id === 'string' ? this.files.get(entry.id) : undefined;
      if (!file || file.bytes === null) fail('file_not_found');
      if (file.shared) fail('already_completed');
      file.shared = {
        channel,
        title: optionalString(entry.title),
        comment: optionalString(args.initial_comment),
      };
      done.push({ id: file.id, title: file.shared.title ?? file.filename });
    }
    return { files: done };
  }

  /** The upload URL: the file's bytes, of the announced length. */
  async receive(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const file = this.files.get(id);
    const bytes = Buffer.concat(chunks);
    if (!file || req.method !== 'POST') {
      sendJson(res, 404, { ok: false, error: 'file_not_found' });
      return;
    }
    if (bytes.length !== file.length) {
      sendJson(res, 400, { ok: false, error: 'length_mismatch' });
      return;
    }
    file.bytes = bytes;
    this.store.changed();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${bytes.length}`);
  }
}
