// Block Kit builders: pure functions from domain values to Slack messages and views.
export { buildDeliveryProblemMessage, buildWebhookPausedMessage, withDeliveryProblems } from './delivery.ts';
export { buildGenericNoticeMessage } from './generic.ts';
export type { SlackMessage } from './kit.ts';
export { LIMITS, truncate, truncateMrkdwn } from './limits.ts';
export {
  buildAppHome,
  buildChainStarted,
  buildChooseChainMessage,
  buildDescribeRequest,
  buildHelp,
  buildIncidentDeclaredReply,
  buildMineList,
  buildRefusal,
  buildRolesList,
} from './lists.ts';
export {
  buildBlockModal,
  buildDeclareIncidentModal,
  buildReassignModal,
  buildRejectModal,
  buildSkipModal,
  buildStepDoneModal,
  buildUnblockModal,
} from './modals.ts';
export {
  buildBlockedMessage,
  buildCancelledMessage,
  buildCompletedMessage,
  buildContextChangedMessage,
  buildDeliveredMessage,
  buildHandoffMessage,
  buildNotifyMessage,
  buildReassignedMessage,
  buildRejectedMessage,
  buildSkippedMessage,
  buildStepDoneMessage,
  buildUnblockedMessage,
  withThreadLink,
} from './notices.ts';
export {
  buildDigestAnswer,
  buildDigestChartMessage,
  buildDigestMessage,
  buildMetricsBlocks,
  buildMetricsMessage,
  buildPostmortemMessage,
  buildPostmortemPosted,
} from './reports.ts';
export { buildRootMessage, buildRunStatus, buildRunStatusList, progressLine } from './run.ts';
