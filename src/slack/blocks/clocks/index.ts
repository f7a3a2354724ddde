// The clock and report builders, and their registration with the notice renderer.

import type { EscalationNotice, GdprNotice, ReminderNotice } from '../../../services/clocks/clock-notices.ts';
import type { DigestNotice } from '../../../services/digests/digest-service.ts';
import type { NoticeRenderer } from '../../render.ts';
import { buildDigestMessage, buildPostmortemMessage } from '../reports.ts';
import { buildGdprMessage } from './gdpr.ts';
import { buildEscalationMessage, buildReminderMessage } from './step-clocks.ts';

export { buildGdprMessage, buildGdprRecordedMessage } from './gdpr.ts';
export { buildEscalationMessage, buildReminderMessage, buildSnoozedMessage } from './step-clocks.ts';

/**
 * Register the builders of `reminder`, `escalation`, `gdpr`, `digest` and `postmortem` notices
 * (pass `registerNoticeRenderer` from src/slack/render.ts). Returns a function that removes them.
 */
export function registerClockRenderers(
  register: (type: string, render: NoticeRenderer) => () => void,
): () => void {
  const undo = [
    register('reminder', (n) => buildReminderMessage(n as unknown as ReminderNotice)),
    register('escalation', (n) => buildEscalationMessage(n as unknown as EscalationNotice)),
    register('gdpr', (n) => buildGdprMessage(n as unknown as GdprNotice)),
    register('digest', (n) => buildDigestMessage(n as unknown as DigestNotice)),
    register('postmortem', (n) =>
      buildPostmortemMessage(n as unknown as { runId: string; markdown: string }),
    ),
  ];
  return () => {
    for (const u of undo) u();
  };
}
