// Column sets the clock and report queries share.
import * as t from '../../../../drizzle/schema.ts';

export { OPEN } from '../../rows.ts';

/** The columns that name a run and link to its thread. */
export const RUN_HEAD = {
  id: t.runs.id,
  chain: t.runs.chain,
  title: t.runs.title,
  status: t.runs.status,
  severity: t.runs.severity,
  channelId: t.runs.channelId,
  threadTs: t.runs.threadTs,
  rootTs: t.runs.rootTs,
};
