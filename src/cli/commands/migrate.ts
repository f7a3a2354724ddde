// `projectlead migrate`: create or upgrade the database named by DATABASE_URL.
import { loadCoreConfig } from '../../config.ts';
import { openStore } from '../../persistence/open.ts';
import type { CliCommand } from '../io.ts';

export const migrateCommand: CliCommand = async (_args, io) => {
  const config = loadCoreConfig(io.env);
  const store = await openStore(config.DATABASE_URL);
  await store.close();
  io.stderr.write(`Database ready: ${store.location}\n`);
  return 0;
};
