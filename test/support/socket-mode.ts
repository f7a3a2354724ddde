// The stand-in's Socket Mode endpoint lives in the source tree: src/slack-standin/socket-mode.ts.
export * from '../../src/slack-standin/socket-mode.ts';
