// `POST /mcp`: the MCP server over Streamable HTTP (the SDK's transport, stateless: each request
// is answered on its own, as JSON), with the API's bearer tokens and rate limit. Each request
// gets a server bound to its caller's actor. GET and DELETE (streams and sessions) are not
// offered: 405, as the specification allows a stateless server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { authorize, isAnswer } from '../http/api/auth.ts';
import type { ApiRouteDeps } from '../http/api/index.ts';
import { createPresenter } from '../http/api/present.ts';
import { readBody, respond, sendTooLarge } from '../http/io.ts';
import type { Route } from '../http/server.ts';
import { createMcpServer } from './server.ts';

export const MCP_PATH = '/mcp';
const MAX_BODY_BYTES = 1024 * 1024;

const rpcError = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

export function mcpRoutes(deps: ApiRouteDeps): Route[] {
  const present = createPresenter(deps.runs);
  const auth = { tokens: deps.tokens, actors: deps.actors, limiter: deps.limiter };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const caller = await authorize(auth, req);
    if (isAnswer(caller)) return respond(res, caller.status, caller.body, caller.headers ?? {});
    const text = await readBody(req, MAX_BODY_BYTES);
    if (text === null) return sendTooLarge(res, MAX_BODY_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return respond(res, 400, rpcError(-32700, 'Parse error: the body is not JSON'));
    }
    const server = createMcpServer({ verbs: deps.verbs, present }, caller.actor);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  const notOffered: Route['handle'] = (_req, res) =>
    respond(res, 405, rpcError(-32000, 'This MCP server is stateless: POST only.'), { allow: 'POST' });

  return [
    {
      method: 'POST',
      path: MCP_PATH,
      maxBodyBytes: MAX_BODY_BYTES,
      handle: (req, res) =>
        handle(req, res).catch((err: unknown) => {
          deps.logger.error('MCP request failed', { error: String((err as Error).stack ?? err) });
          respond(res, 500, rpcError(-32603, 'Internal error; it was logged.'));
        }),
    },
    { method: 'GET', path: MCP_PATH, handle: notOffered },
    { method: 'DELETE', path: MCP_PATH, handle: notOffered },
  ];
}
