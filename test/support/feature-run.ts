// One New Feature run, as data: the request and who completes each step with what. Walked
// through the verb table alone (verb-only-run.ts) and through Slack (test/core/verb-table.test.ts).
import { userFor } from './engine.ts';

export const FEATURE_REQUEST = {
  requester: 'UREQUESTER',
  channelId: 'CFEATURE',
  chain: 'feature',
  text: 'Add a dark mode toggle to the backend-only reporting API',
};

export interface FeatureStep {
  key: string;
  by: string[];
  /** Facts the step's form records (the verb's `facts`). */
  projects?: string[];
}

export const FEATURE_STEPS: FeatureStep[] = [
  { key: 'vision_scope', by: [userFor('Ghabs')] },
  { key: 'technical_feasibility', by: [userFor('Atlas')] },
  { key: 'architecture_design', by: [userFor('Architect')], projects: ['backend'] },
  { key: 'implementation', by: [userFor('BackendLead')] },
  { key: 'quality_gate', by: [userFor('QAGuard')] },
  { key: 'deployment', by: [userFor('OpsCommander')] },
  { key: 'documentation', by: [userFor('Scribe')] },
];

/** What the comparison keeps of an event: its type, step and actor, in order. */
export interface EventShape {
  type: string;
  step: string | null;
  actor: string;
}
