/** The request classifier: pure, deterministic, no I/O. */
export {
  type ClassifyOptions,
  CONFIDENCE_THRESHOLD,
  classify,
  describingWords,
  MAX_INPUT_CHARS,
  MAX_SCORED_CHARS,
  type RequestFacts,
  readFacts,
} from './classify.ts';
export {
  buildCorrectionIndex,
  CORRECTION_SIMILARITY,
  type CorrectionIndex,
  formatCorrectionsJsonl,
  parseCorrectionsJsonl,
} from './corrections.ts';
export { normalizeSlackText } from './normalize.ts';
export {
  buildExampleIndex,
  type ChainClassification,
  type ChainExample,
  classifyRequest,
  EXAMPLE_ASK,
  EXAMPLE_NEAR,
  type ExampleIndex,
  type ExampleMatch,
  exampleCollisions,
  exampleProblems,
} from './team-chains.ts';
export {
  CHAIN_IDS,
  CHAIN_TITLES,
  type ChainId,
  type ChangeType,
  type Classification,
  type Correction,
  type Flag,
  isChainId,
  type Project,
  type ReleaseType,
  type Severity,
  type Signal,
} from './types.ts';
