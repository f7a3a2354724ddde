import { fixture } from '../test/alerts/fixtures.ts';
import { startHarness } from '../test/support/app-harness.ts';
const h = await startHarness({ env: { INCIDENT_CHANNEL: 'CINCIDENTS' }, outbox: { pollMs: 100000, channelIntervalMs: 1000 } });
const { token } = await h.core.tokens.create('bench-monitoring', { kind: 'alerts' });
const url = `http://127.0.0.1:${h.app.port}/api/v1/alerts/alertmanager`;
const template = fixture('alertmanager-firing') as { groupKey: string };
for (let p = 0; p < 50; p++) {
  const r = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...template, groupKey: `${template.groupKey}/${p}` }) });
  await r.arrayBuffer();
}
const runs = await h.core.store.read.runs.list({ chain: 'incident' });
const id = runs[0]!.id;
for (const [name, fn] of [
  ['runs.get', () => h.core.store.read.runs.get(id)],
  ['runs.list 50', () => h.core.store.read.runs.list({ chain: 'incident' })],
] as const) {
  for (let i = 0; i < 200; i++) await fn();
  const n = name === 'runs.get' ? 20000 : 500;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  console.log(name, ((performance.now() - t0) / n * 1000).toFixed(1), 'us');
}
await h.close();
process.exit(0);
