// What a person reads when Slack refuses a run's message, and the status line: pure builders.
import { describe, expect, it } from 'vitest';
import type { DeliveryProblemNotice } from '../../../src/domain/notices.ts';
import { buildDeliveryProblemMessage, withDeliveryProblems } from '../../../src/slack/blocks/delivery.ts';

const notice = (over: Partial<DeliveryProblemNotice> = {}): DeliveryProblemNotice => ({
  type: 'delivery_problem',
  runId: 'FEAT-3',
  runTitle: 'Dark <mode> & more',
  channelId: 'CPRIV',
  error: 'channel_not_found',
  held: true,
  audience: 'requester',
  failed: { notice: 'run_started', stepKey: null, stepTitle: null },
  ...over,
});

describe('delivery problem messages', () => {
  it.each<[string, Partial<DeliveryProblemNotice>, RegExp]>([
    [
      'the run cannot start in a private channel',
      {},
      /FEAT-3\* “Dark &lt;mode&gt; &amp; more” cannot start in <#CPRIV> yet: I can't see <#CPRIV>: it is private and I'm not in it.*`\/invite @ProjectLead`.*nothing is lost/,
    ],
    [
      'the bot was removed from the channel',
      { error: 'not_in_channel', failed: { notice: 'handoff', stepKey: 'design', stepTitle: 'Design' } },
      /no longer post .*messages in <#CPRIV>: I'm not a member of <#CPRIV>\. Invite me there/,
    ],
    [
      'the channel is archived',
      {
        error: 'is_archived',
        held: false,
        failed: { notice: 'step_done', stepKey: 'design', stepTitle: 'Design' },
      },
      /could not post the message of step “Design” of .* in <#CPRIV>: <#CPRIV> is archived\. It will not be retried; `\/lead status FEAT-3`/,
    ],
    [
      'a handoff its owner must act on',
      {
        error: 'is_archived',
        held: false,
        audience: 'owner',
        failed: { notice: 'handoff', stepKey: 'design', stepTitle: 'Design' },
      },
      /Step “Design” of \*FEAT-3\* .* is waiting on you, but I could not post it in <#CPRIV>: <#CPRIV> is archived\. .*`\/lead mine`/,
    ],
    [
      'a refused direct message',
      {
        error: 'user_not_found',
        held: false,
        channelId: null,
        failed: { notice: 'notify', stepKey: null, stepTitle: null, toUser: 'UGONE' },
      },
      /could not post one of its messages of .* to <@UGONE>: Slack refused it \(`user_not_found`\)/,
    ],
  ])('when %s, then the message says what happened and what to do', (_what, over, expected) => {
    const m = buildDeliveryProblemMessage(notice(over));
    expect(m.text).toMatch(expected);
    expect(m.blocks).toHaveLength(1);
  });

  it('when runs have problems, then status gets one line per run; without problems it is unchanged', () => {
    const status = { text: 'FEAT-3', blocks: [] };
    expect(withDeliveryProblems(status, [])).toBe(status);
    const two = withDeliveryProblems(status, [
      { runId: 'FEAT-3', channelId: 'CPRIV', held: 2, failed: 0, errors: ['channel_not_found'], since: 0 },
      { runId: 'BUG-1', channelId: 'COLD', held: 0, failed: 1, errors: ['is_archived'], since: 0 },
    ]);
    expect(two.text).toContain('FEAT-3: :warning: 2 messages waiting');
    expect(two.text).toContain('BUG-1: :warning: 1 message could not be posted in <#COLD> (`is_archived`)');
    expect(two.blocks).toEqual([expect.objectContaining({ type: 'context' })]);
  });
});
