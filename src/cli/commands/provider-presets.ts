/** Provider presets offered by `onboard`. */

/** A preset: API family, base URL and a model to start with. */
export interface ProviderPreset {
  label: string;
  type: 'openai' | 'anthropic';
  baseUrl: string;
  model: string;
}

/** Ollama on this machine (no key), OpenAI-compatible, Anthropic-compatible. */
export const PROVIDER_PRESETS = {
  ollama: {
    label: 'Ollama (local, no key)',
    type: 'openai',
    baseUrl: 'http://127.0.0.1:11434/v1',
    model: 'llama3.2',
  },
  openai: {
    label: 'OpenAI-compatible',
    type: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    model: 'gpt-4o-mini',
  },
  anthropic: {
    label: 'Anthropic-compatible',
    type: 'anthropic',
    baseUrl: 'https://api.anthropic.com/v1',
    model: 'claude-3-5-haiku-latest',
  },
} as const satisfies Record<string, ProviderPreset>;

export type PresetName = keyof typeof PROVIDER_PRESETS;
