// CorrectionRepository on SQLite: the chains requesters picked over the classifier’s.
import { asc } from 'drizzle-orm';
import * as t from '../../../../drizzle/schema.ts';
import type { CorrectionRepository } from '../../ports.ts';
import type { Orm } from '../database.ts';

export class SqliteCorrectionRepository implements CorrectionRepository {
  constructor(private readonly orm: Orm) {}

  async insert(c: {
    text: string;
    chain: string;
    predicted: string | null;
    actor: string | null;
    createdAt: number;
  }) {
    this.orm.insert(t.classifierCorrections).values(c).run();
  }

  async all() {
    return this.orm
      .select({
        text: t.classifierCorrections.text,
        chain: t.classifierCorrections.chain,
        predicted: t.classifierCorrections.predicted,
        actor: t.classifierCorrections.actor,
        createdAt: t.classifierCorrections.createdAt,
      })
      .from(t.classifierCorrections)
      .orderBy(asc(t.classifierCorrections.id))
      .all();
  }
}
