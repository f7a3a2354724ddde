// A daily digest notice with nothing to report, for tests that need one of the outbox's
// payloads rather than a real digest.
import type { DigestNotice } from '../../src/domain/reports.ts';

export function emptyDigestNotice(title: string, at = 0, text = `# ${title}`): DigestNotice {
  const periodKey = 'daily:2026-11-02';
  return {
    type: 'digest',
    kind: 'daily',
    periodKey,
    title,
    text,
    data: {
      kind: 'daily',
      periodKey,
      generatedAt: at,
      timeZone: 'UTC',
      since: at - 24 * 3_600_000,
      shipped: { total: 0, items: [] },
      pending: { total: 0, groups: [] },
      blocked: { total: 0, items: [] },
      overdue: { total: 0, items: [] },
      incidents: { total: 0, bySeverity: [] },
      gdpr: { items: [] },
      metrics: null,
    },
  };
}
