import { describe, expect, it } from 'vitest';
import { BUNDLED_MODELS, DEFAULT_MODEL_ID, resolveModelRef } from '../../src/app/models';
import { readPolicyParams } from '../../src/app/policyRuntime';

describe('bundled model registry', () => {
  it('lists every models/<id>/manifest.json and contains the default', () => {
    expect(BUNDLED_MODELS.map((m) => m.id)).toContain('fixture-random');
    expect(BUNDLED_MODELS.map((m) => m.id)).toContain(DEFAULT_MODEL_ID);
    const f = BUNDLED_MODELS.find((m) => m.id === 'fixture-random')!;
    expect(f.url).toBe('models/fixture-random');
    expect(f.name).toMatch(/fixture/i);
  });

  it('resolves an id to its folder and anything else to a folder URL', () => {
    expect(resolveModelRef('fixture-random')).toEqual({ url: 'models/fixture-random', id: 'fixture-random' });
    expect(resolveModelRef('https://x.org/m/tiny-vla/')).toEqual({
      url: 'https://x.org/m/tiny-vla',
      id: 'tiny-vla',
    });
    expect(resolveModelRef('models/other/manifest.json')).toEqual({ url: 'models/other', id: 'other' });
  });
});

describe('readPolicyParams', () => {
  it('reads instruction, ep, model and autorun; drops a bad ep', () => {
    expect(readPolicyParams('?instruction=lift%20it&ep=webgpu&model=fixture-random&autorun=1')).toEqual({
      instruction: 'lift it',
      ep: 'webgpu',
      model: 'fixture-random',
      autorun: true,
    });
    expect(readPolicyParams('?ep=cuda&autorun=0')).toEqual({ autorun: false });
  });

  it('reads decoding=argmax|median and drops anything else', () => {
    expect(readPolicyParams('?decoding=median')).toEqual({ decoding: 'median', autorun: false });
    expect(readPolicyParams('?decoding=argmax')).toEqual({ decoding: 'argmax', autorun: false });
    expect(readPolicyParams('?decoding=beam')).toEqual({ autorun: false });
  });
});
