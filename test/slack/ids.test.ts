import { describe, expect, it } from 'vitest';
import { encodeRunNote, encodeStepRef, parseRunNote, parseStepRef } from '../../src/slack/ids.ts';

describe('button values', () => {
  it('carry a run and its note both ways, cut to fit a Slack value', () => {
    expect(parseRunNote(encodeRunNote('INC-4', 'Add a canary for checkout'))).toEqual({
      runId: 'INC-4',
      note: 'Add a canary for checkout',
    });
    expect(parseRunNote(encodeRunNote('REL-2', null))).toEqual({ runId: 'REL-2', note: null });
    const long = encodeRunNote('INC-4', 'x'.repeat(5000));
    expect(long.length).toBeLessThanOrEqual(2000);
    expect(parseRunNote(long)?.note).toHaveLength(1500);
  });

  it('refuse what is not one', () => {
    for (const bad of [null, undefined, '', 'INC-4', '{"run":"inc-4"}', '{"note":"x"}', '[1]'])
      expect(parseRunNote(bad)).toBeNull();
    expect(parseRunNote('{"run":"INC-4","note":7}')).toEqual({ runId: 'INC-4', note: null });
    expect(parseStepRef(encodeStepRef('FEAT-3', 'vision_scope'))).toEqual({
      runId: 'FEAT-3',
      stepKey: 'vision_scope',
    });
    expect(parseStepRef('FEAT-3|Vision')).toBeNull();
  });
});
