// EventRepository on SQLite: the append-only run log.
import { asc, inArray } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { RunEvent } from '../../../domain/types.ts';
import type { EventRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';
import { statements, TableCodec } from '../table-codec.ts';

const eventCodec = new TableCodec<typeof t.events.$inferSelect>(t.events);

const SQL = {
  insertEvent: eventCodec.insertSql(['runId', 'at', 'actor', 'type', 'stepKey', 'data']),
  /** A run's events as one JSON text (see TableCodec.decodeArray), in any order. */
  eventsOfRun: `SELECT json_group_array(${eventCodec.jsonArraySql('e')}) FROM "events" AS e WHERE e."run_id" = ?`,
};

/** Append events in their order (the repository's `append`, and a run's save). */
export function appendEvents(orm: Orm, events: RunEvent[]): void {
  const insert = statements(orm).get(SQL.insertEvent);
  for (const e of events) {
    insert.run(
      eventCodec.encode({
        runId: e.runId,
        at: e.at,
        actor: e.actor,
        type: e.type,
        stepKey: e.stepKey,
        data: e.data,
      }),
    );
  }
}

export class SqliteEventRepository implements EventRepository {
  constructor(private readonly orm: Orm) {}

  async append(events: RunEvent[]): Promise<void> {
    appendEvents(this.orm, events);
  }

  async forRun(runId: string): Promise<RunEvent[]> {
    const json = statements(this.orm).get(SQL.eventsOfRun).pluck().get(runId) as string;
    return (JSON.parse(json) as unknown[][])
      .map((values) => eventCodec.decodeArray(values))
      .sort((a, b) => a.id - b.id);
  }

  async forRuns(runIds: string[]): Promise<Map<string, RunEvent[]>> {
    const out = new Map<string, RunEvent[]>();
    for (let i = 0; i < runIds.length; i += 500) {
      const ids = runIds.slice(i, i + 500);
      for (const e of this.orm
        .select()
        .from(t.events)
        .where(inArray(t.events.runId, ids))
        .orderBy(asc(t.events.id))
        .all()) {
        const list = out.get(e.runId!) ?? [];
        list.push(e);
        out.set(e.runId!, list);
      }
    }
    return out;
  }
}
