import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTrainedAttributeModel } from '../../../routing/classifier/attributes.ts';
import {
  loadModel,
  loadTrainedModel,
  modelFromText,
  readNumber,
  serializeModel,
} from '../../../routing/classifier/model.ts';

const read = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../routing/classifier/${name}`, import.meta.url)), 'utf8');

/** The same doubles, bit for bit (-0 is not 0). */
const bits = (values: ArrayLike<number>) => Buffer.from(Float64Array.from(values).buffer).toString('hex');

describe('weights files: read into one table', () => {
  it('when a weights file is read, then every weight is the double Number reads from its text', () => {
    for (const [name, model] of [
      ['model-weights.txt', loadTrainedModel()],
      ['attribute-weights.txt', loadTrainedAttributeModel()],
    ] as const) {
      let features = 0;
      for (const line of read(name).split('\n')) {
        const tab = line.indexOf('\t');
        if (tab < 0) continue;
        const feature = line.slice(0, tab);
        const values = line
          .slice(tab + 1)
          .split(' ')
          .map(Number);
        const row = model.rows.get(feature);
        const stored =
          feature === 'bias'
            ? model.bias
            : model.weights.subarray(row! * model.width, (row! + 1) * model.width);
        expect(bits(stored), `${name}: ${feature}`).toBe(bits(values));
        if (feature !== 'bias') features++;
      }
      expect(model.rows.size).toBe(features);
      expect(features).toBeGreaterThan(3000);
    }
  });

  it('when a number is not a plain short decimal, then it is read as Number reads it', () => {
    for (const text of [
      '0',
      '-0',
      '0.145',
      '-0.145',
      '5.',
      '.5',
      '1e-7',
      '-2.5E3',
      '1234567890123456789',
      '',
    ]) {
      const bytes = Buffer.from(`x ${text} y`);
      expect(bits([readNumber(bytes, 2, 2 + text.length)]), text).toBe(bits([Number(text)]));
    }
  });

  it('when a model is written and read back, then its table is the same', () => {
    const serialized = { bias: [0.5, -1], weights: { crash: [0.25, -0.125], 'not down': [1e-9, 3] } };
    const model = modelFromText(`# a header line\n${serializeModel(serialized)}\n`);
    const loaded = loadModel(serialized);
    expect([...model.rows]).toEqual([...loaded.rows]);
    expect(bits(model.weights)).toBe(bits(loaded.weights));
    expect(bits(model.bias)).toBe(bits(loaded.bias));
  });
});
