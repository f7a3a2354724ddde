// The one HTTP server: a route table with exact paths and prefixes, JSON errors for unknown paths
// and methods, 413 before a client sends a body its route will not take, and a failing handler
// answered with 500 without stopping the server.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { healthRoute } from '../../src/http/health.ts';
import { respond } from '../../src/http/io.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(register: (s: HttpServer) => void): Promise<string> {
  const server = createHttpServer({ logger: silentLogger });
  register(server);
  await server.listen(0);
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

const echo = (name: string) => ({
  handle: (_req: unknown, res: Parameters<typeof respond>[0], match: { rest: string }) =>
    respond(res, 200, { name, rest: match.rest }),
});

describe('the HTTP server', () => {
  it('when paths are routed, then exact paths win, longer prefixes before shorter, and the rest of a prefix is given', async () => {
    const base = await serve((s) => {
      s.route({ method: 'GET', path: '/api/*', ...echo('api') });
      s.route({ method: 'GET', path: '/api/v1/*', ...echo('v1') });
      s.route({ method: 'GET', path: '/api/v1/openapi.json', ...echo('openapi') });
    });
    const get = async (path: string) => (await fetch(`${base}${path}`)).json();
    expect(await get('/api/v1/runs/FEAT-1?x=1')).toEqual({ name: 'v1', rest: 'runs/FEAT-1' });
    expect(await get('/api/v1/openapi.json')).toEqual({ name: 'openapi', rest: '' });
    expect(await get('/api/v2/x')).toEqual({ name: 'api', rest: 'v2/x' });
  });

  it('when a path is unknown, then 404; when its method is not served, then 405 with Allow; both as JSON errors', async () => {
    const base = await serve((s) => s.route({ method: 'POST', path: '/slack/events', ...echo('events') }));
    const missing = await fetch(`${base}/elsewhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    const wrong = await fetch(`${base}/slack/events`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await wrong.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it('when a GET route is asked with HEAD, then it answers without a body', async () => {
    let ready = false;
    const base = await serve((s) => s.route(healthRoute(() => ready)));
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    ready = true;
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
  });

  it('when a handler throws, then that request gets 500 and the next one is served', async () => {
    let calls = 0;
    const base = await serve((s) =>
      s.route({
        method: 'GET',
        path: '/flaky',
        handle: (_req, res) => {
          calls++;
          if (calls === 1) throw new Error('boom');
          respond(res, 200, { ok: true });
        },
      }),
    );
    expect((await fetch(`${base}/flaky`)).status).toBe(500);
    expect((await fetch(`${base}/flaky`)).status).toBe(200);
  });

  it('when a route is registered twice for one method, then registering fails', () => {
    const server = createHttpServer({ logger: silentLogger });
    server.route({ method: 'GET', path: '/healthz', ...echo('a') });
    expect(() => server.route({ method: 'GET', path: '/healthz', ...echo('b') })).toThrow(/Two routes/);
  });

  it('when a client declares a body over its route’s limit and waits for 100 Continue, then it hears 413 and never sends it', async () => {
    let handled = 0;
    const base = await serve((s) =>
      s.route({
        method: 'POST',
        path: '/small',
        maxBodyBytes: 10,
        handle: (_req, res) => {
          handled++;
          respond(res, 200);
        },
      }),
    );
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/small`, {
        method: 'POST',
        headers: { 'content-length': '100', expect: '100-continue' },
      });
      req.on('continue', () => reject(new Error('the server asked for the body')));
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', () => undefined);
      req.flushHeaders();
    });
    expect(status).toBe(413);
    expect(handled).toBe(0);
  });
});
