import { describe, expect, it } from 'vitest';
import { foundModelsText } from './probe-button.js';

describe('Test connection', () => {
  it('counts the models it found in words', () => {
    expect(foundModelsText(2)).toBe('Found 2 models');
    expect(foundModelsText(1)).toBe('Found 1 model');
    expect(foundModelsText(0)).toBe('Found no models');
  });
});
