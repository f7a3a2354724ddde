import type { App } from '@slack/bolt';
import { ACTION } from '../../src/slack/ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { cancelRequest } from './cancel-request.ts';
import { chooseChain } from './choose-chain.ts';
import { followUp } from './follow-up.ts';
import { gateConfirm, gateOverrule } from './gate-decision.ts';
import { gdprNotified } from './gdpr-notified.ts';
import { openRun } from './open-run.ts';
import { runCancelLinked } from './run-cancel-linked.ts';
import { stepAck } from './step-ack.ts';
import { stepBlock } from './step-block.ts';
import { stepDone } from './step-done.ts';
import { stepReassign } from './step-reassign.ts';
import { stepReject } from './step-reject.ts';
import { stepSkip } from './step-skip.ts';
import { stepSnooze } from './step-snooze.ts';
import { stepUnblock } from './step-unblock.ts';

export function register(app: App, deps: HandlerDeps): void {
  app.action(ACTION.stepDone, stepDone(deps));
  app.action(ACTION.stepBlock, stepBlock(deps));
  app.action(ACTION.stepUnblock, stepUnblock(deps));
  app.action(ACTION.stepReject, stepReject(deps));
  app.action(ACTION.stepReassign, stepReassign(deps));
  app.action(ACTION.stepSkip, stepSkip(deps));
  app.action(ACTION.stepAck, stepAck(deps));
  app.action(ACTION.stepSnooze, stepSnooze(deps));
  app.action(ACTION.gateConfirm, gateConfirm(deps));
  app.action(ACTION.gateOverrule, gateOverrule(deps));
  app.action(ACTION.gdprNotified, gdprNotified(deps));
  app.action(ACTION.chooseChain, chooseChain(deps));
  app.action(ACTION.cancelRequest, cancelRequest());
  app.action(ACTION.openRun, openRun(deps));
  app.action(ACTION.runCancelLinked, runCancelLinked(deps, 'cancel'));
  app.action(ACTION.runCancelKeep, runCancelLinked(deps, 'keep'));
  app.action(ACTION.followUpBug, followUp(deps, 'bug'));
  app.action(ACTION.followUpFeature, followUp(deps, 'feature'));
}
