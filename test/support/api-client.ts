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
