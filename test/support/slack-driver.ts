// The payloads Slack sends the app, signed, live in the source tree: src/slack-standin/driver.ts.
export * from '../../src/slack-standin/driver.ts';
