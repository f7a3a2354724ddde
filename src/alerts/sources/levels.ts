// The words tools use for how bad an alert is, mapped onto the severity mapping's levels.
import type { AlertLevel } from '../../../routing/alert-severity.ts';

const WORDS: Record<string, AlertLevel> = {
  critical: 'critical',
  crit: 'critical',
  page: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  high: 'critical',
  p1: 'critical',
  p2: 'critical',
  error: 'error',
  err: 'error',
  major: 'error',
  p3: 'error',
  warning: 'warning',
  warn: 'warning',
  minor: 'warning',
  medium: 'warning',
  low: 'warning',
  p4: 'warning',
  info: 'info',
  informational: 'info',
  none: 'info',
  p5: 'info',
};

/** The first of these words that names a level. */
export function levelOf(...words: (string | null | undefined)[]): AlertLevel | null {
  for (const w of words) {
    const level = w ? WORDS[w.trim().toLowerCase()] : undefined;
    if (level) return level;
  }
  return null;
}
