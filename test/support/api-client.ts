// Calling the running app's HTTP API as an agent would: JSON over fetch with a bearer token.
import type { Harness } from './app-harness.ts';

export interface ApiReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in tests
  json: any;
  headers: Headers;
}

export async function api(
  h: Harness,
  token: string | null,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiReply> {
  const res = await fetch(`http://127.0.0.1:${h.app.port}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

/** A token for each of these users, made as `projectlead tokens create <name> --as <user>` makes it. */
export async function tokensFor(h: Harness, users: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, userId] of Object.entries(users))
    out[userId] = (await h.core.tokens.create(name, { kind: 'user', userId })).token;
  return out;
}

const TIER2 = ['FrontendLead', 'BackendLead', 'MobileLead', 'ContentLead'];

/**
 * A major Release run's steps in order, and the roles that complete each (owners, then
 * approvers): the walk the API and MCP tests make.
 */
export const MAJOR_RELEASE_WALK: readonly [step: string, roles: string[]][] = [
  ['release_decision', ['Atlas']],
  ['code_freeze', [...TIER2, 'ProjectLead']],
  ['full_qa_pass', ['QAGuard']],
  ['pre_release_audit', ['Privacy']],
  ['changelog_docs', ['Scribe']],
  ['staging_deploy', ['OpsCommander']],
  ['go_no_go', ['Atlas', 'Ghabs']],
  ['production_deploy', ['OpsCommander']],
  ['post_release_metrics', ['GrowthLead']],
  ['announce', ['Scribe', 'ContentLead']],
];

/** The step of a major release that runs as a linked Compliance Review (the Pre-Release Audit). */
export const MAJOR_RELEASE_LINKED_STEP = 'pre_release_audit';

/** Roles a linked Compliance Review of a release with no projects hands steps to, beside the release's. */
export const LINKED_REVIEW_ROLES = ['Privacy', 'Architect', 'Ghabs', 'Scribe', ...TIER2];

interface WalkedRun {
  status: string;
  steps: { key: string; status: string; assignees: string[] }[];
}

/**
 * Walk a run to its end through a surface: each active step completed by each of its assignees
 * in order (owners, then approvers), until the step moves on. Returns the run as it ended.
 */
export async function walkRun(
  runId: string,
  surface: {
    get(runId: string): Promise<WalkedRun>;
    complete(userId: string, runId: string, stepKey: string): Promise<void>;
  },
): Promise<WalkedRun> {
  for (let guard = 0; guard < 40; guard++) {
    const run = await surface.get(runId);
    const step = run.steps.find((s) => s.status === 'active');
    if (run.status !== 'active' || !step) return run;
    for (const user of step.assignees) {
      await surface.complete(user, runId, step.key);
      const now = (await surface.get(runId)).steps.find((s) => s.key === step.key);
      if (now?.status !== 'active') break;
    }
  }
  throw new Error(`${runId} did not end`);
}
