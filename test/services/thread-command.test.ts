// A thread reply read as a verb call, and the facts it carries: table-driven, pure.
import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/types.ts';
import { parseFactsText } from '../../src/services/facts.ts';
import { parseDuration, parseThreadCommand } from '../../src/services/thread-command.ts';

const run = {
  id: 'FEAT-3',
  steps: [
    { key: 'design', status: 'done' },
    { key: 'triage', status: 'active' },
  ],
} as unknown as Pick<Run, 'id' | 'steps'>;

describe('parseThreadCommand', () => {
  it.each([
    ['done', { verb: 'complete_step', input: { run_id: 'FEAT-3', output: null } }],
    [
      'done Approved: brief is in the doc',
      { verb: 'complete_step', input: { run_id: 'FEAT-3', output: 'Approved: brief is in the doc' } },
    ],
    [
      'Done design The ADR is linked',
      { verb: 'complete_step', input: { run_id: 'FEAT-3', step_key: 'design', output: 'The ADR is linked' } },
    ],
    [
      'done triage Reproduced\nseverity: High\nprojects: web, backend',
      {
        verb: 'complete_step',
        input: {
          run_id: 'FEAT-3',
          step_key: 'triage',
          output: 'Reproduced',
          facts: { severity: 'high', projects: ['web', 'backend'] },
        },
      },
    ],
    ['block waiting on keys', { verb: 'block_step', input: { run_id: 'FEAT-3', reason: 'waiting on keys' } }],
    ['unblock', { verb: 'unblock_step', input: { run_id: 'FEAT-3', rationale: null } }],
    [
      'unblock risk accepted',
      { verb: 'unblock_step', input: { run_id: 'FEAT-3', rationale: 'risk accepted' } },
    ],
    ['reject not worth it', { verb: 'reject_run', input: { run_id: 'FEAT-3', reason: 'not worth it' } }],
    [
      'skip triage not needed',
      { verb: 'skip_step', input: { run_id: 'FEAT-3', step_key: 'triage', reason: 'not needed' } },
    ],
    ['ack', { verb: 'acknowledge_step', input: { run_id: 'FEAT-3' } }],
    [
      'reassign <@U123|jane> <!subteam^S9|@ops>',
      { verb: 'reassign_step', input: { run_id: 'FEAT-3', to: ['U123', 'S9'] } },
    ],
    ['snooze 1h30m', { verb: 'snooze_step', input: { run_id: 'FEAT-3', step_key: 'triage', minutes: 90 } }],
  ])('%j', (text, want) => {
    expect(parseThreadCommand(text, run)).toEqual({ kind: 'verb', ...want });
  });

  it('status and anything else', () => {
    expect(parseThreadCommand('status', run)).toEqual({ kind: 'status' });
    expect(parseThreadCommand('what is up?', run)).toEqual({ kind: 'unknown', word: 'what' });
    expect(parseThreadCommand('', run)).toEqual({ kind: 'unknown', word: '' });
  });

  it.each([
    ['block', /Say why/],
    ['reassign jane', /not a user/],
    ['reassign', /Name who/],
    ['snooze soon', /for how long/],
    [
      'done\nseverity: urgent',
      /severity: "urgent" is not valid\. Valid values: critical, high, medium, low, sev1, sev2, sev3/,
    ],
    ['done\nuser data exposed: maybe', /not yes or no/],
  ])('%j is refused: %s', (text, error) => {
    expect(() => parseThreadCommand(text, run)).toThrow(error);
  });
});

describe('parseFactsText', () => {
  it('reads a fenced JSON block and key: value lines; other lines stay the output', () => {
    expect(
      parseFactsText('All good\n```json\n{"user_data_exposed": false, "Release type": "minor"}\n```'),
    ).toEqual({
      output: 'All good',
      facts: { user_data_exposed: false, release_type: 'minor' },
    });
    expect(parseFactsText('Note: see doc\nuser-data-exposed: yes')).toEqual({
      output: 'Note: see doc',
      facts: { user_data_exposed: true },
    });
    expect(parseFactsText('just text')).toEqual({ output: 'just text', facts: null });
  });

  it('refuses a block that is not an object of facts', () => {
    expect(() => parseFactsText('```json\n{"colour": "red"}\n```')).toThrow(/"colour" is not a fact/);
    expect(() => parseFactsText('```json\n{oops\n```')).toThrow(/does not parse/);
  });

  it('durations', () => {
    expect(parseDuration('30m')).toBe(30);
    expect(parseDuration('2h')).toBe(120);
    expect(parseDuration('1d')).toBe(1440);
    expect(parseDuration('45')).toBe(45);
    expect(parseDuration('2 hours')).toBe(120);
    expect(parseDuration('later')).toBeNull();
  });
});
