// EventRepository on PostgreSQL: the append-only run log (a trigger refuses changes).
import { asc, eq, inArray } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { RunEvent } from '../../../domain/types.ts';
import type { EventRepository } from '../../ports.ts';
import type { PgOrm } from '../database.ts';

export class PgEventRepository implements EventRepository {
  constructor(private readonly orm: PgOrm) {}

  async append(events: RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.orm.insert(t.events).values(
      events.map((e) => ({
        runId: e.runId,
        at: e.at,
        actor: e.actor,
        type: e.type,
        stepKey: e.stepKey,
        data: e.data,
      })),
    );
  }

  async forRun(runId: string): Promise<RunEvent[]> {
    return this.orm.select().from(t.events).where(eq(t.events.runId, runId)).orderBy(asc(t.events.id));
  }

  async forRuns(runIds: string[]): Promise<Map<string, RunEvent[]>> {
    const out = new Map<string, RunEvent[]>();
    for (let i = 0; i < runIds.length; i += 5000) {
      const ids = runIds.slice(i, i + 5000);
      const rows = await this.orm
        .select()
        .from(t.events)
        .where(inArray(t.events.runId, ids))
        .orderBy(asc(t.events.id));
      for (const e of rows) {
        const list = out.get(e.runId!) ?? [];
        list.push(e);
        out.set(e.runId!, list);
      }
    }
    return out;
  }
}
