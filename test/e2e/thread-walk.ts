// Walking a run to the end by thread replies alone: at each step, the holder of each role still
// to deliver says `done <step> <output>` in the thread (agents as bot authors), with the facts
// the step collects on their own lines; a step may be played by hand instead (`play`).
import { expect } from 'vitest';
import { liveChild } from '../../src/domain/links.ts';
import { ownersLeft } from '../../src/domain/policy.ts';
import type { Run, Step } from '../../src/domain/types.ts';
import { type Harness, postedRun, until, userFor } from '../support/app-harness.ts';
import { type Author, agent, person, say } from './thread-say.ts';

/** The roles played by agents (other apps' bot users) in these walks. */
export const AGENT_ROLES = ['Atlas', 'Architect', 'QAGuard', 'Scribe', 'OpsCommander', 'QuantArchitect'];

export interface Cast {
  authorOf(userId: string): Author;
  /** Replies sent so far, by kind of author. */
  said: { bot: number; person: number };
}

export function cast(h: Harness): Cast {
  const agents = new Map(
    AGENT_ROLES.map((role, i) => [userFor(role), agent(h, userFor(role), `${role}Bot`, i % 2 === 0)]),
  );
  return { authorOf: (u) => agents.get(u) ?? person(u), said: { bot: 0, person: 0 } };
}

export const outputOf = (stepKey: string, role: string) => `output of ${stepKey} by ${role}`;

/** Say something and wait until the run changed (its version moved). */
export async function sayAndWait(
  h: Harness,
  c: Cast,
  runId: string,
  author: Author,
  text: string,
): Promise<Run> {
  const before = (await h.core.runs.getRun(runId)).version;
  const run = await postedRun(h, runId);
  await say(h, run, author, text);
  if ('bot' in author) c.said.bot++;
  else c.said.person++;
  return until(async () => {
    const r = await h.core.runs.getRun(runId);
    return r.version > before ? r : null;
  }, `${runId} changed after "${text}"`);
}

const pending = (step: Step) => {
  const owners = ownersLeft(step);
  return owners.length > 0 ? owners : step.approvers.filter((r) => !step.deliveries[r]);
};

export interface ThreadWalkOptions {
  /** Fact lines a step's `done` carries (`severity: high`). */
  facts?: Record<string, string>;
  /** Play a step by hand (once, when it first becomes current); the walk goes on after it. */
  play?: Record<string, (run: Run, step: Step) => Promise<void>>;
  /** Steps skipped by thread (`skip <reason>`) by the holder of their first owner. */
  skip?: string[];
}

/** Walk the run to `done`; returns it. */
export async function walkThread(
  h: Harness,
  c: Cast,
  runId: string,
  o: ThreadWalkOptions = {},
): Promise<Run> {
  const played = new Set<string>();
  for (let guard = 0; guard < 80; guard++) {
    const run = await h.core.runs.getRun(runId);
    if (run.status === 'done') return run;
    expect(run.status).toBe('active');
    const step = run.steps.find((s) => s.status === 'active');
    if (!step) throw new Error(`${runId} has no active step`);
    // A step handed to a linked run: walk that run (by thread too); this step follows it.
    const child = liveChild(run, step.key);
    if (child) {
      await walkThread(h, c, child.runId, {});
      await until(
        async () => (await h.core.runs.getRun(runId)).steps[step.idx]?.status === 'done',
        `${runId} ${step.key} done with ${child.runId}`,
      );
      continue;
    }
    const play = o.play?.[step.key];
    if (play && !played.has(step.key)) {
      played.add(step.key);
      await play(run, step);
      continue;
    }
    const role = pending(step)[0]!;
    const holder = step.assignees[role]?.[0];
    if (!holder) throw new Error(`${runId} ${step.key}: nobody holds ${role}`);
    if (o.skip?.includes(step.key)) {
      await sayAndWait(h, c, runId, c.authorOf(holder), `skip ${step.key} not needed for this run`);
      continue;
    }
    const facts = o.facts?.[step.key] ? `\n${o.facts[step.key]}` : '';
    await sayAndWait(h, c, runId, c.authorOf(holder), `done ${step.key} ${outputOf(step.key, role)}${facts}`);
  }
  throw new Error(`${runId} did not finish`);
}
