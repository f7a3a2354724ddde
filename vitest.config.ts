import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: two workers share two cores with the processes some tests start, so a test may
    // run several times slower than alone. Waits inside tests are bounded on their own.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each worker imports the app once and runs its test files on that module graph: importing
    // it afresh for every file was most of the suite's time. Tests share no state through
    // modules (each builds its own core, database and fake Slack), so nothing leaks between them.
    isolate: false,
    // vitest's default is one worker fewer than the machine's cores: on two cores, one.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
