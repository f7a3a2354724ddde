// `npm run build` (`npm ci` runs it through `prepare`): compiles the bot's TypeScript into dist/
// with tsconfig.build.json, and copies beside the compiled files the data they read relative to
// themselves (migrations, playbooks, roles, the classifier's weights, the sandbox's page), so
// dist/ mirrors the tree. `npm start` runs dist/; tests, benches, the CLI and `npm run dev` run the sources.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist');
/** Data the runtime reads in routing/: everything but code, docs and the training corpora. */
const DATA = /\.(?:ya?ml|json|txt)$/;

rmSync(OUT, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
cpSync(join(ROOT, 'migrations'), join(OUT, 'migrations'), { recursive: true });
cpSync(join(ROOT, 'src', 'sandbox', 'page'), join(OUT, 'src', 'sandbox', 'page'), { recursive: true });
cpSync(join(ROOT, 'migrations-pg'), join(OUT, 'migrations-pg'), { recursive: true });
cpSync(join(ROOT, 'routing'), join(OUT, 'routing'), {
  recursive: true,
  filter: (path) => basename(path) !== 'corpus' && (statSync(path).isDirectory() || DATA.test(path)),
});
