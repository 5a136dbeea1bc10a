import { describe, expect, it } from 'vitest';
import { modelChoices } from './model-picker.js';

describe('model choices', () => {
  it('offer the configured models first, then the listed ones, each once', () => {
    expect(modelChoices(['b'], ['a', 'b', 'c'])).toEqual(['b', 'a', 'c']);
    expect(modelChoices([], [])).toEqual([]);
  });
});
