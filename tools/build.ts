// `npm run build` (`npm ci` runs it through `prepare`): compiles the bot's TypeScript into dist/
// with tsconfig.build.json, and copies beside the compiled files the data they read relative to
// themselves (migrations, playbooks, roles, the classifier's weights), so dist/ mirrors the
// tree. `npm start` runs dist/; tests, benches, the CLI and `npm run dev` run the sources.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

const OUT = 'dist';
/** Data the runtime reads: everything in routing/ that is not code, tests or training corpora. */
const DATA = /\.(?:ya?ml|json|txt)$/;

rmSync(OUT, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('migrations', `${OUT}/migrations`, { recursive: true });
cpSync('routing', `${OUT}/routing`, {
  recursive: true,
  filter: (path) => !path.endsWith('/corpus') && (statSync(path).isDirectory() || DATA.test(path)),
});
