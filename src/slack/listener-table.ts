// One Bolt listener per kind instead of one per id. Bolt runs every registered listener's
// matching middleware on every request, so the two dozen listeners registered one per id cost
// about 190 µs of CPU a request against about 40 µs through this table (`npm run
// bench:listeners`), and `bench:ack` serves about a quarter fewer requests a second without it. Handlers still register
// one listener per id (`app.action(ACTION.stepDone, …)`) on the app this returns; `install()`
// then gives Bolt, per kind, one listener whose constraint matches exactly those ids and which
// hands the request to the listener registered for its id. A kind with a single id, and any
// registration that is not one plain string id with one function, goes to Bolt unchanged.
import type { App } from '@slack/bolt';

type Kind = 'command' | 'shortcut' | 'action' | 'view' | 'event';
type Listener = (args: Record<string, unknown>) => Promise<void> | void;

const KINDS: readonly Kind[] = ['command', 'shortcut', 'action', 'view', 'event'];

/** The id Bolt's own string constraint for the kind compares with. */
function idOf(kind: Kind, args: Record<string, unknown>): string | undefined {
  const payload = args.payload as Record<string, unknown> | undefined;
  const body = args.body as Record<string, unknown> | undefined;
  switch (kind) {
    case 'command':
      return payload?.command as string | undefined;
    case 'event':
      return payload?.type as string | undefined;
    case 'action':
      return (payload?.action_id ?? body?.callback_id) as string | undefined;
    default:
      return (payload?.callback_id ?? body?.callback_id) as string | undefined;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (ids: string[]) => new RegExp(`^(?:${ids.map(escapeRegExp).join('|')})$`);

export function createListenerTable(app: App): { app: App; install(): void } {
  const tables = new Map<Kind, Map<string, Listener>>(KINDS.map((k) => [k, new Map()]));
  const facade = Object.create(app) as App;
  const direct = facade as unknown as Record<Kind, (...a: unknown[]) => unknown>;
  const bolt = app as unknown as Record<Kind, (...a: unknown[]) => unknown>;
  for (const kind of KINDS) {
    direct[kind] = (id: unknown, ...fns: unknown[]) => {
      const table = tables.get(kind)!;
      if (typeof id !== 'string' || fns.length !== 1 || typeof fns[0] !== 'function' || table.has(id)) {
        return bolt[kind].call(app, id, ...fns);
      }
      table.set(id, fns[0] as Listener);
      return undefined;
    };
  }
  return {
    app: facade,
    install() {
      for (const [kind, table] of tables) {
        if (table.size === 0) continue;
        if (table.size === 1) {
          for (const [id, fn] of table) bolt[kind].call(app, id, fn);
          continue;
        }
        bolt[kind].call(app, exactly([...table.keys()]), (args: Record<string, unknown>) => {
          const id = idOf(kind, args);
          return id === undefined ? undefined : table.get(id)?.(args);
        });
      }
    },
  };
}
