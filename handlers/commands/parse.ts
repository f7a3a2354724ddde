// `/lead <text>` (and `@ProjectLead <text>`) parsed into what was asked. Pure. A subcommand
// word counts only with the arguments it takes ("status page is down" is a request, not
// `status`), so free text is never swallowed by a subcommand.
import { ValidationError } from '../../src/errors.ts';

export type LeadCommand =
  | { kind: 'help' }
  | { kind: 'request'; chain: string | null; text: string }
  | { kind: 'status'; runId: string | null }
  | { kind: 'mine' }
  | { kind: 'roles' }
  | { kind: 'role_set'; role: string; members: string[] }
  | { kind: 'digest'; period: 'daily' | 'weekly' }
  | { kind: 'metrics' }
  | { kind: 'cancel'; runId: string; reason: string | null }
  | { kind: 'postmortem'; runId: string }
  | { kind: 'gdpr_notified'; runId: string };

const RUN_ID = /^[A-Za-z]{2,6}-\d+$/;

/**
 * Members as Slack escapes them: `<@U123|name>`, `<@U123>`, `<!subteam^S123|@name>`; raw IDs
 * (`U123`, `S123`) too. Anything else is an error naming the token.
 */
export function parseMembers(tokens: readonly string[]): string[] {
  return tokens.map((token) => {
    const user = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token);
    if (user) return user[1]!;
    const group = /^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token);
    if (group) return group[1]!;
    if (/^[UWS][A-Z0-9]{2,}$/.test(token)) return token;
    throw new ValidationError(
      'bad_member',
      `"${token}" is not a user or user group. Mention them, e.g. \`/lead role set Atlas @jane @ops-team\`.`,
    );
  });
}

/** The command `text`; `chainFor` maps a chain word (`feature`, `change`…) to its chain, or null. */
export function parseLeadCommand(text: string, chainFor: (word: string) => string | null): LeadCommand {
  const trimmed = text.trim();
  const words = trimmed.split(/\s+/).filter(Boolean);
  const first = (words[0] ?? '').toLowerCase();
  const rest = words.slice(1);
  const restText = trimmed.slice(words[0]?.length ?? 0).trim();
  if (words.length === 0 || (first === 'help' && rest.length === 0)) return { kind: 'help' };
  if (first === 'status' && rest.length === 0) return { kind: 'status', runId: null };
  if (first === 'status' && rest.length === 1 && RUN_ID.test(rest[0]!))
    return { kind: 'status', runId: rest[0]!.toUpperCase() };
  if (first === 'mine' && rest.length === 0) return { kind: 'mine' };
  if (first === 'roles' && rest.length === 0) return { kind: 'roles' };
  if (first === 'metrics' && rest.length === 0) return { kind: 'metrics' };
  if (first === 'digest' && rest.length <= 1) {
    const period = (rest[0] ?? 'daily').toLowerCase();
    if (period === 'daily' || period === 'weekly') return { kind: 'digest', period };
    throw new ValidationError('bad_digest', 'Use `/lead digest daily` or `/lead digest weekly`.');
  }
  if (first === 'role' && (rest[0] ?? '').toLowerCase() === 'set') {
    const role = rest[1];
    if (!role) throw new ValidationError('no_role', 'Use `/lead role set <Role> @someone [@someone-else]`.');
    return { kind: 'role_set', role: role.replace(/^@/, ''), members: parseMembers(rest.slice(2)) };
  }
  if (first === 'cancel' && rest.length >= 1 && RUN_ID.test(rest[0]!)) {
    const reason = restText.slice(rest[0]!.length).trim();
    return { kind: 'cancel', runId: rest[0]!.toUpperCase(), reason: reason || null };
  }
  if (first === 'postmortem' && rest.length === 1 && RUN_ID.test(rest[0]!))
    return { kind: 'postmortem', runId: rest[0]!.toUpperCase() };
  if (first === 'gdpr' && rest.length >= 1 && RUN_ID.test(rest[0]!)) {
    if (rest.length === 2 && rest[1]!.toLowerCase() === 'notified')
      return { kind: 'gdpr_notified', runId: rest[0]!.toUpperCase() };
    throw new ValidationError(
      'bad_gdpr',
      `Use \`/lead gdpr ${rest[0]!.toUpperCase()} notified\` once the supervisory authority was notified.`,
    );
  }
  const chain = chainFor(first);
  if (chain) return { kind: 'request', chain, text: restText };
  return { kind: 'request', chain: null, text: trimmed };
}
