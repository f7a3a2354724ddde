// A seeded history of Algorithm Change and Bug Fix runs over several weeks, walked through the
// real engine with an injected clock: triage not acknowledged (escalated), one block.
import type { Run } from '../../../src/domain/types.ts';
import { userFor } from '../../support/engine.ts';
import { type ClockEngine, DAY, HOUR } from '../clocks/clock-engine.ts';

export async function startAlgo(e: ClockEngine, title: string): Promise<Run> {
  const { run } = await e.runs.startRun({
    chain: 'algorithm_change',
    title,
    text: title,
    requester: userFor('OwningTeamLead'),
  });
  return run;
}

/** Acknowledge and deliver the active step after `wait` (timers fire on the way). */
export async function deliverStep(
  e: ClockEngine,
  runId: string,
  wait: number,
  opts: { ack?: boolean; block?: boolean } = {},
): Promise<Run> {
  let r = await e.runs.getRun(runId);
  const s = r.steps.find((x) => x.status === 'active')!;
  if (opts.ack !== false) r = await e.runs.acknowledgeStep(r.id, await e.as(userFor(s.owners[0]!)));
  if (opts.block) {
    e.clock.advance(HOUR);
    await e.runs.blockStep(r.id, await e.as(userFor(s.owners[0]!)), { reason: 'staging data missing' });
    e.clock.advance(HOUR);
    await e.runs.unblockStep(r.id, await e.as(userFor(s.owners[0]!)));
  }
  e.clock.advance(wait);
  await e.scheduler.tick();
  for (const role of [...s.owners, ...s.approvers])
    r = await e.runs.completeStep(r.id, await e.as(userFor(role)), { output: 'ok' });
  return r;
}

/** One Algorithm Change walked to done: triage escalated, integration testing blocked if asked. */
export async function walkAlgo(e: ClockEngine, title: string, block = false): Promise<Run> {
  const run = await startAlgo(e, title);
  await deliverStep(e, run.id, HOUR);
  await deliverStep(e, run.id, 15 * HOUR, { ack: false });
  await deliverStep(e, run.id, 2 * HOUR);
  await deliverStep(e, run.id, HOUR, { block });
  await deliverStep(e, run.id, HOUR);
  return deliverStep(e, run.id, HOUR);
}

/** A bug walked to done by every owner at once, `wait` apart. */
export async function walkBug(e: ClockEngine, title: string, wait: number): Promise<Run> {
  const { run } = await e.runs.startRun({
    chain: 'bug',
    title,
    text: title,
    requester: 'UREPORTER',
    severity: 'low',
    projects: ['web'],
  });
  let r = run;
  while (r.status === 'active') {
    const s = r.steps.find((x) => x.status === 'active' || x.status === 'blocked');
    if (!s) break;
    e.clock.advance(wait);
    for (const role of [...s.owners, ...s.approvers])
      r = await e.runs.completeStep(r.id, await e.as(role === 'Requester' ? 'UREPORTER' : userFor(role)), {
        output: 'ok',
      });
  }
  return r;
}

/** Six weeks of history: a bug or two and an algorithm change most weeks. */
export async function seedWeeks(e: ClockEngine): Promise<void> {
  for (let week = 0; week < 6; week++) {
    const weekStart = e.clock.ms;
    await walkBug(e, `Bug ${week + 1}`, (week + 1) * HOUR);
    if (week % 2 === 0) await walkBug(e, `Bug ${week + 1}b`, 2 * HOUR);
    if (week >= 2) await walkAlgo(e, `Algorithm change ${week - 1}`, week === 5);
    e.clock.ms = weekStart + 7 * DAY;
  }
}

/** Width and height from a PNG's signature and IHDR chunk; throws when it is not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(png);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!b.subarray(0, 8).equals(signature) || b.toString('latin1', 12, 16) !== 'IHDR')
    throw new Error('not a PNG');
  if (b.toString('latin1', b.length - 8, b.length - 4) !== 'IEND') throw new Error('PNG without its end');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
