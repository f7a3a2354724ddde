// `projectlead migrate`: create or upgrade the database named by DATABASE_URL.
import { loadCoreConfig } from '../../config.ts';
import { openDatabase } from '../../persistence/database.ts';
import type { CliCommand } from '../io.ts';

export const migrateCommand: CliCommand = async (_args, io) => {
  const config = loadCoreConfig(io.env);
  const db = openDatabase(config.DATABASE_URL);
  db.close();
  io.stderr.write(`Database ready: ${db.path}\n`);
  return 0;
};
