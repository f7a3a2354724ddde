// The chains, flags, severities, projects, release and change types are the bot's vocabulary
// (routing/vocabulary.ts); the classifier's own types follow.
import type { ChainId, ChangeType, Flag, Project, ReleaseType, Severity } from '../vocabulary.ts';

export type { ChainId, ChangeType, Flag, Project, ReleaseType, Severity } from '../vocabulary.ts';
export { CHAIN_IDS, CHAIN_TITLES, FLAGS as FLAG_ORDER, isChainId } from '../vocabulary.ts';

/** A requester's choice of chain for a request, as stored by the caller. */
export interface Correction {
  text: string;
  chain: ChainId;
  predicted?: ChainId | null;
  at?: number;
}

/** `C`: the chains it chooses among (the six by default; any chain id with teams' chains). */
export interface Classification<C extends string = ChainId> {
  /** null only when nothing at all could be said (e.g. empty text). */
  chain: C | null;
  /** 0..1 */
  confidence: number;
  runnerUp: { chain: C; confidence: number } | null;
  /** true: the bot must ask the requester to choose (best two first). */
  ask: boolean;
  /** When ask: the options in order, best first (at least 2). Otherwise [chain]. */
  choices: C[];
  flags: Flag[];
  /** Bug severities only for bug, sev1..3 only for incident. */
  severity: Severity | null;
  releaseType: ReleaseType | null;
  changeType: ChangeType | null;
  projects: Project[];
  /** A short clean one-line title (markup stripped, at most 120 characters). */
  title: string;
  /** Human sentence naming the phrases/signals that decided it. */
  explanation: string;
  /** The signals that decided the chain, strongest first (for UIs that want more than a sentence). */
  signals: Signal[];
  /** Set when a stored correction decided the chain: the corrected request's text. */
  correctedBy?: string;
  /**
   * Answered clearly, never thrown: 'empty' (nothing readable), 'too_little' (no words of its
   * own, only markup, links, emoji or numbers; or a few words that point to no workflow). The
   * bot then asks for a description and offers no workflow to start.
   */
  error?: 'empty' | 'too_little';
}

export interface Signal {
  chain: ChainId;
  /** The words as they were matched (normalized). */
  phrase: string;
  weight: number;
}
