// EventRepository on PostgreSQL: the append-only run log (a trigger refuses changes).
import { asc, eq, inArray } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.pg.ts';
import type { RunEvent } from '../../../domain/types.ts';
import type { EventRepository } from '../../ports.ts';
import type { PgOrm } from '../database.ts';
import { columnsOf, type PgQueryable, query, recordOf, recordsParam, statement } from '../statements.ts';

/** The columns an event is written with (all but its id), as `jsonb_to_recordset` reads them. */
export const EVENT_COLUMNS = columnsOf(t.events).filter(([key]) => key !== 'id');
const EVENT_NAMES = EVENT_COLUMNS.map(([, col]) => `"${col.name}"`).join(', ');

/**
 * The INSERT of the events in the JSON array parameter `param` (`$1`…), in their order; `from`,
 * other relations joined in (a CTE that must have a row for any event to be written).
 */
export function insertEventsSql(param: string, from = ''): string {
  return `INSERT INTO "events" (${EVENT_NAMES})
    SELECT ${EVENT_NAMES} FROM ${from}ROWS FROM (jsonb_to_recordset(${param}::jsonb) AS (${recordOf(EVENT_COLUMNS)}))
      WITH ORDINALITY AS ev ORDER BY ev."ordinality"`;
}
/** A batch of events as one JSON array, stored in its order (the ids follow it). */
const APPEND = statement('events_append', insertEventsSql('$1'));

export class PgEventRepository implements EventRepository {
  constructor(
    private readonly orm: PgOrm,
    private readonly db: PgQueryable,
  ) {}

  async append(events: RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    await query(this.db, APPEND, [
      recordsParam(EVENT_COLUMNS, events as unknown as Record<string, unknown>[]),
    ]);
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
