import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORPUS_FILES, loadCorpus } from '../../../tools/classifier/corpora.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('corpora: a self-contained repo', () => {
  it('when the corpora are listed, then every file lives inside the repository and exists', () => {
    for (const [name, path] of Object.entries(CORPUS_FILES)) {
      const inside = relative(repoRoot, path);
      expect(inside.startsWith('..'), `${name}: ${path}`).toBe(false);
      expect(existsSync(path), `${name}: ${path}`).toBe(true);
    }
  });

  it('when the dev set is loaded, then it has its 100 labelled requests', () => {
    expect(loadCorpus('dev')).toHaveLength(100);
  });

  it('when a corpus name is unknown, then loading it throws instead of training on nothing', () => {
    expect(() => loadCorpus('no-such-corpus')).toThrow(/unknown corpus/);
  });
});
