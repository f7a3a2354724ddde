// The dependency rules (ARCHITECTURE: surfaces → verbs → domain/routing and persistence ports),
// checked by `npm test` with dependency-cruiser. Type-only imports count (tsPreCompilationDeps).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles, type-only ones included: a cycle hides which module comes first.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'routing-is-pure',
      comment: 'routing/ (plan, roles, playbooks, classifier) is pure: it imports nothing of the bot.',
      severity: 'error',
      from: { path: '^routing/' },
      to: { path: '^(src|handlers)/' },
    },
    {
      name: 'domain-is-pure',
      comment:
        'src/domain/ knows no storage, transport, config or scheduling: persistence, Slack, the outbox, ' +
        'HTTP, the CLI, jobs, services, config, drizzle, @slack/*, better-sqlite3, node-cron.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        path: [
          '^src/(persistence|slack|outbox|http|cli|jobs|services)/',
          '^src/config\\.ts$',
          '^drizzle/',
          '(^|/)node_modules/(drizzle-orm|drizzle-kit|@slack/[^/]+|better-sqlite3|node-cron)/',
        ],
      },
    },
    {
      name: 'handlers-call-services',
      comment: 'Bolt listeners call verbs and services, never the repositories or drizzle.',
      severity: 'error',
      from: { path: '^handlers/' },
      to: { path: ['^src/persistence/', '^drizzle/', '(^|/)node_modules/drizzle-orm/'] },
    },
    {
      name: 'no-test-code-in-the-bot',
      comment: 'The bot never imports from test/ (benches may drive the test harness).',
      severity: 'error',
      from: { path: '^(src|handlers|routing|bin)/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The generated classifier weights are data: nothing to follow, slow to parse.
    exclude: { path: '^routing/classifier/(model|attribute)-weights\\.ts$' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    cache: false,
  },
};
