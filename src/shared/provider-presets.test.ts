import { describe, expect, it } from 'vitest';
import { PRESET_LIST, PROVIDER_PRESETS } from './provider-presets.js';

describe('provider presets', () => {
  it('lists every preset once, with its id, in the order onboard offers them', () => {
    expect(PRESET_LIST.map((preset) => preset.id)).toEqual(Object.keys(PROVIDER_PRESETS));
    expect(PRESET_LIST.map((preset) => preset.id)).toEqual(['ollama', 'openai', 'anthropic']);
  });

  it('points Ollama at this machine, so it needs no key', () => {
    expect(new URL(PROVIDER_PRESETS.ollama.baseUrl).hostname).toBe('127.0.0.1');
  });
});
