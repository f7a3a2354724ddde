// `/lead` text → what was asked; Slack's escaped mentions → IDs.
import { describe, expect, it } from 'vitest';
import { parseLeadCommand, parseMembers } from '../../handlers/commands/parse.ts';
import { ValidationError } from '../../src/errors.ts';

const chains: Record<string, string> = {
  feature: 'feature',
  bug: 'bug',
  release: 'release',
  incident: 'incident',
  change: 'cross_project',
  audit: 'compliance',
};
const parse = (text: string) => parseLeadCommand(text, (w) => chains[w] ?? null);

describe('parseLeadCommand', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['status', { kind: 'status', runId: null }],
    ['status feat-3', { kind: 'status', runId: 'FEAT-3' }],
    ['mine', { kind: 'mine' }],
    ['roles', { kind: 'roles' }],
    ['metrics', { kind: 'metrics' }],
    ['digest', { kind: 'digest', period: 'daily' }],
    ['digest weekly', { kind: 'digest', period: 'weekly' }],
    ['cancel BUG-2 duplicate of BUG-1', { kind: 'cancel', runId: 'BUG-2', reason: 'duplicate of BUG-1' }],
    ['postmortem inc-4', { kind: 'postmortem', runId: 'INC-4' }],
    ['gdpr INC-4 notified', { kind: 'gdpr_notified', runId: 'INC-4' }],
    [
      'postmortem template for the payments outage',
      { kind: 'request', chain: null, text: 'postmortem template for the payments outage' },
    ],
    ['gdpr request from a user', { kind: 'request', chain: null, text: 'gdpr request from a user' }],
    ['feature Dark mode  for reports', { kind: 'request', chain: 'feature', text: 'Dark mode  for reports' }],
    ['Change the API contract', { kind: 'request', chain: 'cross_project', text: 'the API contract' }],
    ['audit', { kind: 'request', chain: 'compliance', text: '' }],
    [
      'status page is down for everyone',
      { kind: 'request', chain: null, text: 'status page is down for everyone' },
    ],
    [
      'help me with the checkout crash',
      { kind: 'request', chain: null, text: 'help me with the checkout crash' },
    ],
    ['the login page is broken', { kind: 'request', chain: null, text: 'the login page is broken' }],
  ])('when the text is %j, then it is %j', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('when the text is role set, then the role and the members come out of the escaped mentions', () => {
    expect(parse('role set @Atlas <@U123|jane> <!subteam^S9AB|@ops-team> <@W77>')).toEqual({
      kind: 'role_set',
      role: 'Atlas',
      members: ['U123', 'S9AB', 'W77'],
    });
  });

  it('when a member is not a mention, or the role is missing, or the digest period is unknown, then it says so', () => {
    expect(() => parse('role set Atlas jane')).toThrow(ValidationError);
    expect(() => parse('role set Atlas jane')).toThrow(/"jane" is not a user or user group/);
    expect(() => parse('role set')).toThrow(/role set <Role>/);
    expect(() => parse('digest monthly')).toThrow(/daily|weekly/);
    expect(() => parse('gdpr inc-4 sent')).toThrow(/`\/lead gdpr INC-4 notified`/);
  });

  it('parseMembers accepts raw IDs as well', () => {
    expect(parseMembers(['U1AB', 'S2CD', '<@U3EF>'])).toEqual(['U1AB', 'S2CD', 'U3EF']);
  });
});
