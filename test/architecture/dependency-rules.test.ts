// The dependency rules of .dependency-cruiser.cjs (run on the tree by `npm test`) catch what
// they are meant to: checked on a small tree of fixture files with deliberate bad imports.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[];
  options: Record<string, unknown>;
};

const FILES: Record<string, string> = {
  'src/config.ts': 'export const port = 3000;\n',
  'src/persistence/store.ts': 'export type Store = { path: string };\n',
  'src/domain/fine.ts': "import type { Leaky } from './leaky.ts';\nexport type Fine = Leaky | null;\n",
  'src/domain/leaky.ts': [
    "import type { App } from '@slack/bolt';",
    "import cron from 'node-cron';",
    "import { port } from '../config.ts';",
    "import type { Store } from '../persistence/store.ts';",
    'export type Leaky = { store: Store; port: typeof port; cron: typeof cron; app: App };',
  ].join('\n'),
  'routing/plan.ts': "import type { Fine } from '../src/domain/fine.ts';\nexport type Plan = Fine;\n",
  'handlers/listener.ts': [
    "import { sql } from 'drizzle-orm';",
    "import type { Store } from '../src/persistence/store.ts';",
    'export const listener = (s: Store) => sql.raw(s.path);',
  ].join('\n'),
  'src/cli/main.ts':
    "import type { Command } from './commands/run.ts';\nexport type Io = { run: Command };\n",
  'src/cli/commands/run.ts':
    "import type { Io } from '../main.ts';\nexport type Command = (io: Io) => void;\n",
};

let dir: string;
let result: ICruiseResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'depcruise-'));
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const { tsConfig: _tsConfig, cache: _cache, ...options } = config.options;
  const out = await cruise(['src', 'routing', 'handlers'], {
    ...options,
    baseDir: dir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  result = out.output as ICruiseResult;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const violations = (rule: string) =>
  result.summary.violations
    .filter((v) => v.rule.name === rule)
    .map((v) => `${v.from} → ${v.to.replace(/^.*node_modules\/([^/]+)\/.*$/, '$1')}`)
    .sort();

describe('the dependency rules', () => {
  it('when the domain imports persistence, config, Slack or node-cron, then each import is an error', () => {
    expect(violations('domain-is-pure')).toEqual([
      'src/domain/leaky.ts → @slack',
      'src/domain/leaky.ts → node-cron',
      'src/domain/leaky.ts → src/config.ts',
      'src/domain/leaky.ts → src/persistence/store.ts',
    ]);
  });

  it('when routing imports from src, then it is an error', () => {
    expect(violations('routing-is-pure')).toEqual(['routing/plan.ts → src/domain/fine.ts']);
  });

  it('when a handler imports a repository or drizzle, then it is an error', () => {
    expect(violations('handlers-call-services')).toEqual([
      'handlers/listener.ts → drizzle-orm',
      'handlers/listener.ts → src/persistence/store.ts',
    ]);
  });

  it('when two modules import each other, with type-only imports, then it is a cycle', () => {
    // A cycle is reported once, at the import that closes it.
    expect(violations('no-cycles')).toEqual(['src/cli/commands/run.ts → src/cli/main.ts']);
  });

  it('when the imports follow the rules, then nothing else is reported', () => {
    expect(result.summary.error).toBe(8);
  });
});
