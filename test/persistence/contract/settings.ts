// SettingsRepository: what the bot records about itself, and when it was installed.
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.ts';
import { event, HOUR, insertRuns, makeRun, T0, useBackend } from './fixtures.ts';

export function describeSettingsRepositoryContract(backend: Backend) {
  describe(`settings (${backend.name})`, () => {
    const db = useBackend(backend);

    it('when a setting is set, then it reads back; set again, the last value stands', async () => {
      const { store } = db();
      expect(await store.read.settings.get('workspace_url')).toBeNull();
      await store.transaction((r) => r.settings.set('workspace_url', 'https://a.slack.com/', T0));
      await store.transaction((r) => r.settings.set('other', 'x', T0));
      expect(await store.read.settings.get('workspace_url')).toBe('https://a.slack.com/');
      await store.transaction((r) => r.settings.set('workspace_url', 'https://b.slack.com/', T0 + 1));
      expect(await store.read.settings.get('workspace_url')).toBe('https://b.slack.com/');
      expect(await store.read.settings.get('other')).toBe('x');
    });

    it('when a fresh database is asked when it was installed, then now, recorded once for good', async () => {
      const { store } = db();
      expect(await store.transaction((r) => r.settings.installedAt(T0))).toBe(T0);
      expect(await store.transaction((r) => r.settings.installedAt(T0 + HOUR))).toBe(T0);
      expect(await store.read.settings.get('installed_at')).toBe(String(T0));
    });

    it('when a database in use before is asked, then its earliest run, event or digest claim', async () => {
      for (const [what, at] of [
        ['run', T0 - 3 * HOUR],
        ['event', T0 - 2 * HOUR],
        ['digest', T0 - HOUR],
      ] as const) {
        const { store } = await backend.open();
        try {
          await insertRuns(store, makeRun('LATE-1', { createdAt: T0 - 30_000 }));
          await store.transaction(async (r) => {
            if (what === 'run') await r.runs.insert(makeRun('OLD-1', { createdAt: at }));
            if (what === 'event') await r.events.append([event(null, 'role_set', at)]);
            if (what === 'digest') await r.digests.claim('daily:old', 'daily', 'w1', at);
          });
          expect(await store.transaction((r) => r.settings.installedAt(T0)), what).toBe(at);
        } finally {
          await store.close();
        }
      }
    });

    it('when the transaction that recorded the install rolls back, then it was never recorded', async () => {
      const { store } = db();
      await expect(
        store.transaction(async (r) => {
          await r.settings.installedAt(T0);
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      expect(await store.read.settings.get('installed_at')).toBeNull();
      expect(await store.transaction((r) => r.settings.installedAt(T0 + 1))).toBe(T0 + 1);
    });
  });
}
