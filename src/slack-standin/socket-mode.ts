// The fake Slack's Socket Mode endpoint: what `apps.connections.open` hands out. It speaks the
// protocol @slack/socket-mode 3.x expects: a `hello` right after the upgrade, envelopes
// `{ envelope_id, type, payload, accepts_response_payload }`, acks `{ envelope_id, payload }`, and
// `disconnect` messages that make the client fetch a new URL and reconnect. The client pings;
// `ws` answers pings with pongs on its own, so no heartbeat code is needed here.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export type SocketEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What the fake sends over the socket; `envelope_id` is generated when left out. */
export interface SocketEnvelope {
  type: SocketEnvelopeType;
  payload: Record<string, unknown>;
  envelope_id?: string;
  accepts_response_payload?: boolean;
  /** events_api only: Slack's redelivery count and reason (`http_timeout`, …). */
  retry_attempt?: number;
  retry_reason?: string;
}

/** The app's answer to an envelope. `payload` is what the listener passed to `ack()` (`{}` when nothing). */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface SocketSendOptions {
  /** How long to wait for the ack; Slack itself gives up after 3 s. Default 5000 (slack for busy CI). */
  timeoutMs?: number;
}

export interface FakeSocket {
  /** `ws://127.0.0.1:<port>/socket`, the URL `apps.connections.open` returns. */
  readonly url: string;
  /** Connections currently open (a Bolt app holds one). */
  readonly openConnections: number;
  /** Every ack received, in order, including late ones. */
  readonly acks: readonly SocketAck[];
  /** Resolves once at least one app is connected and has been sent `hello`. */
  waitForConnection(opts?: { timeoutMs?: number }): Promise<void>;
  /** Sends the envelope to the newest open connection and resolves with the app's ack. */
  send(envelope: SocketEnvelope, opts?: SocketSendOptions): Promise<SocketAck>;
  /** Sends Slack's `disconnect` message (the client closes and reconnects through apps.connections.open). */
  disconnect(reason?: 'warning' | 'refresh_requested' | 'link_disabled'): void;
}

/** Server side of the fake socket; fake-slack.ts routes HTTP upgrades on `/socket` to it. */
export class FakeSocketServer implements FakeSocket {
  readonly url: string;
  readonly acks: SocketAck[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients: WebSocket[] = [];
  private readonly events = new EventEmitter();

  constructor(
    port: number,
    private readonly appId: string,
  ) {
    this.url = `ws://127.0.0.1:${port}/socket`;
    this.events.setMaxListeners(0);
  }

  get openConnections(): number {
    return this.clients.length;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.clients.push(ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const ack = parseAck(data.toString());
      if (ack === undefined) return;
      this.acks.push(ack);
      this.events.emit(`ack:${ack.envelope_id}`, ack);
    });
    ws.on('close', () => {
      const i = this.clients.indexOf(ws);
      if (i >= 0) this.clients.splice(i, 1);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.clients.length,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    this.events.emit('connection');
  }

  waitForConnection({ timeoutMs = 5000 }: { timeoutMs?: number } = {}): Promise<void> {
    if (this.clients.length > 0) return Promise.resolve();
    return this.once('connection', timeoutMs, 'no Socket Mode connection').then(() => undefined);
  }

  async send(envelope: SocketEnvelope, { timeoutMs = 5000 }: SocketSendOptions = {}): Promise<SocketAck> {
    const ws = this.clients.at(-1);
    if (ws === undefined) throw new Error('fake Slack socket: no app is connected');
    const envelopeId = envelope.envelope_id ?? randomUUID();
    const acked = this.once(
      `ack:${envelopeId}`,
      timeoutMs,
      `no ack for ${envelope.type} envelope ${envelopeId}`,
    );
    ws.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type: envelope.type,
        payload: envelope.payload,
        accepts_response_payload: envelope.accepts_response_payload ?? envelope.type !== 'events_api',
        ...(envelope.type === 'events_api'
          ? { retry_attempt: envelope.retry_attempt ?? 0, retry_reason: envelope.retry_reason ?? '' }
          : {}),
      }),
    );
    return (await acked) as SocketAck;
  }

  disconnect(reason: 'warning' | 'refresh_requested' | 'link_disabled' = 'refresh_requested'): void {
    const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } });
    for (const ws of this.clients) ws.send(message);
  }

  /** Closes every connection; the clients see a close frame as when Slack goes away. */
  close(): Promise<void> {
    for (const ws of this.clients) ws.terminate();
    this.clients.length = 0;
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private once(event: string, timeoutMs: number, what: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off(event, onEvent);
        reject(new Error(`fake Slack socket: ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onEvent = (value: unknown) => {
        clearTimeout(timer);
        resolve(value);
      };
      this.events.once(event, onEvent);
    });
  }
}

function parseAck(text: string): SocketAck | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { envelope_id: envelopeId, payload } = value as { envelope_id?: unknown; payload?: unknown };
    if (typeof envelopeId !== 'string') return undefined;
    return typeof payload === 'object' && payload !== null
      ? { envelope_id: envelopeId, payload: payload as Record<string, unknown> }
      : { envelope_id: envelopeId };
  } catch {
    return undefined;
  }
}
