import type { App } from '@slack/bolt';
import { CALLBACK } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { declareIncidentSubmitted } from './declare-incident.ts';
import { gateOverruleSubmitted } from './gate-overrule.ts';
import { stepBlockSubmitted } from './step-block.ts';
import { stepDoneSubmitted } from './step-done.ts';
import { stepReassignSubmitted } from './step-reassign.ts';
import { stepRejectSubmitted } from './step-reject.ts';
import { stepSkipSubmitted } from './step-skip.ts';
import { stepUnblockSubmitted } from './step-unblock.ts';

export function register(app: App, deps: HandlerDeps): void {
  app.view(CALLBACK.stepDoneModal, stepDoneSubmitted(deps));
  app.view(CALLBACK.stepBlockModal, stepBlockSubmitted(deps));
  app.view(CALLBACK.stepUnblockModal, stepUnblockSubmitted(deps));
  app.view(CALLBACK.stepRejectModal, stepRejectSubmitted(deps));
  app.view(CALLBACK.stepReassignModal, stepReassignSubmitted(deps));
  app.view(CALLBACK.stepSkipModal, stepSkipSubmitted(deps));
  app.view(CALLBACK.declareIncidentModal, declareIncidentSubmitted(deps));
  app.view(CALLBACK.gateOverruleModal, gateOverruleSubmitted(deps));
}
