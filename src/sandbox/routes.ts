// The sandbox's routes on the bot's own HTTP server (127.0.0.1 only): the page at `/` and its
// files under `/sandbox/`, the state one person sees (`GET /sandbox/state?as=U…`), the live
// updates (`GET /sandbox/events`, server-sent events: one `change` event after each change to
// the stand-in), and what a person does (`POST /sandbox/<verb>`, JSON, checked with zod).
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readBody, respond, respondError } from '../http/io.ts';
import type { Route } from '../http/server.ts';
import type { Logger } from '../logger.ts';
import type { PageState } from './page-state.ts';
import { SandboxInputError, type UserActions } from './user-actions.ts';

export const PAGE_DIR = new URL('./page/', import.meta.url);
const FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'blockkit.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};
const MAX_BODY = 256 * 1024;

export interface SandboxRouteDeps {
  actions: UserActions;
  state: (user: string) => PageState;
  /** Moves the bot's clock forward and runs what fell due (reminders, escalations, digests). */
  advance: (ms: number) => Promise<void>;
  /** Subscribes to changes; returns the unsubscribe. */
  onChange: (listener: () => void) => () => void;
  logger: Logger;
}

const id = z.string().regex(/^[A-Z][A-Z0-9]{2,}$/, 'a Slack id');
const ts = z.string().regex(/^\d+\.\d+$/, 'a Slack ts');
const elementState = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));
const HOUR = 3_600_000;

const bodies = {
  compose: z.strictObject({ user: id, channel: id, text: z.string().max(40_000), threadTs: ts.optional() }),
  press: z.strictObject({
    user: id,
    container: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('message'), channel: id, ts }),
      z.strictObject({ kind: z.literal('ephemeral'), channel: id, ts, threadTs: ts.optional() }),
      z.strictObject({ kind: z.literal('view'), viewId: id }),
    ]),
    actionId: z.string().min(1).max(255),
    blockId: z.string().max(255).optional(),
    value: z.string().max(2000).optional(),
    selectedOption: z.string().max(2000).optional(),
  }),
  submit: z.strictObject({ user: id, viewId: id, values: elementState }),
  close: z.strictObject({ user: id, viewId: id }),
  shortcut: z.strictObject({ user: id, callbackId: z.string().min(1), channel: id, ts }),
  home: z.strictObject({ user: id }),
  clock: z.strictObject({ advance: z.enum(['hour', 'day']) }),
};

async function jsonBody<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.infer<S>> {
  const raw = await readBody(req, MAX_BODY);
  if (raw === null) throw new SandboxInputError('That request is too large.');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new SandboxInputError('The request is not JSON.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SandboxInputError(`${issue.path.join('.') || 'request'}: ${issue.message}`);
  }
  return parsed.data;
}

export interface SandboxRoutes {
  routes: Route[];
  /** Ends the live-update streams (an open page would otherwise hold the server's close). */
  endStreams(): void;
}

export function sandboxRoutes(deps: SandboxRouteDeps): SandboxRoutes {
  const { actions } = deps;
  const streams = new Set<ServerResponse>();
  const post = <S extends z.ZodType>(
    name: string,
    schema: S,
    run: (body: z.infer<S>) => Promise<unknown>,
  ): Route => ({
    method: 'POST',
    path: `/sandbox/${name}`,
    maxBodyBytes: MAX_BODY,
    async handle(req, res) {
      try {
        const result = await run(await jsonBody(req, schema));
        respond(res, 200, { ok: true, ...(result && typeof result === 'object' ? result : {}) });
      } catch (err) {
        if (err instanceof SandboxInputError) return respondError(res, 400, 'bad_request', err.message);
        deps.logger.error('sandbox request failed', {
          route: name,
          error: String((err as Error).message ?? err),
        });
        respondError(res, 502, 'bot_failed', String((err as Error).message ?? err));
      }
    },
  });

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/',
      async handle(_req, res) {
        await sendFile(res, 'index.html', 'text/html; charset=utf-8');
      },
    },
    {
      method: 'GET',
      path: '/sandbox/state',
      handle(req, res) {
        const user = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('as') ?? '';
        try {
          respond(res, 200, deps.state(id.parse(user)), { 'cache-control': 'no-store' });
        } catch {
          respondError(res, 400, 'bad_request', `No one in the sandbox has the id ${user}.`);
        }
      },
    },
    {
      method: 'GET',
      path: '/sandbox/events',
      handle(req, res) {
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write('retry: 1000\n\n');
        streams.add(res);
        // Changes come in bursts (a transition posts several messages): one event per burst.
        let pending: NodeJS.Timeout | undefined;
        const unsubscribe = deps.onChange(() => {
          pending ??= setTimeout(() => {
            pending = undefined;
            res.write('event: change\ndata: {}\n\n');
          }, 20);
        });
        const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
        req.on('close', () => {
          streams.delete(res);
          unsubscribe();
          clearInterval(keepAlive);
          if (pending) clearTimeout(pending);
        });
      },
    },
    {
      method: 'GET',
      path: '/sandbox/*',
      async handle(_req, res, { rest }) {
        const type = FILES[rest];
        if (type === undefined)
          return respondError(res, 404, 'not_found', `Nothing is served at /sandbox/${rest}.`);
        await sendFile(res, rest, type);
      },
    },
    post('compose', bodies.compose, (b) => actions.compose(b)),
    post('press', bodies.press, (b) => actions.press(b)),
    post('submit', bodies.submit, (b) => actions.submit(b)),
    post('close', bodies.close, (b) => actions.close(b)),
    post('shortcut', bodies.shortcut, (b) => actions.shortcut(b)),
    post('home', bodies.home, (b) => actions.openHome(b.user)),
    post('clock', bodies.clock, (b) => deps.advance(b.advance === 'hour' ? HOUR : 24 * HOUR)),
  ];
  return {
    routes,
    endStreams() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}

async function sendFile(res: ServerResponse, name: string, type: string): Promise<void> {
  const body = await readFile(new URL(name, PAGE_DIR));
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', 'content-length': body.length });
  res.end(body);
}
