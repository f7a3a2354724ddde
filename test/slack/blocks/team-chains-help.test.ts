import { describe, expect, it } from 'vitest';
import { buildDescribeRequest, buildHelp } from '../../../src/slack/blocks/lists.ts';

describe("teams' chains in /lead help and in the request for a description", () => {
  it('when a team brought a chain, then help lists its command after the six', () => {
    const help = buildHelp([{ command: 'algo', title: 'Algorithm Change' }]);
    const text = JSON.stringify(help.blocks);
    expect(text).toContain('`/lead algo <request>`: start Algorithm Change');
    expect(text.indexOf('feature|bug|release')).toBeLessThan(text.indexOf('/lead algo'));
    expect(help.text).toMatch(
      /usage: <request>, feature\|bug\|release\|incident\|change\|audit, algo, status/,
    );
    expect(JSON.stringify(buildHelp().blocks)).not.toContain('algo');
  });

  it("when a team's chain is named with nothing to say, then its first example shows how", () => {
    const m = buildDescribeRequest({
      prefix: '/lead',
      chain: {
        command: 'algo',
        title: 'Algorithm Change',
        example: 'Retrain the churn model, KPI retention',
      },
    });
    expect(m.text).toBe(
      'Nothing was started: say what the Algorithm Change is about, e.g. `/lead algo Retrain the churn model, KPI retention`.',
    );
  });
});
