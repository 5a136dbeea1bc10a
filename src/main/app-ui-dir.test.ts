import { describe, expect, it } from 'vitest';
import { builtUiDir } from './app.js';

describe('where the gateway finds the built Control UI', () => {
  it('is a real file path under an install path with a space (the URL keeps %20)', () => {
    expect(builtUiDir('file:///tmp/my%20apps/special-agent/dist/main/app.js')).toBe(
      '/tmp/my apps/special-agent/dist/renderer',
    );
  });
});
