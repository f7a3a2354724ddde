// The Slack stand-in lives in the source tree (the sandbox ships it): src/slack-standin/.
export * from '../../src/slack-standin/fake-slack.ts';
