/**
 * Provider presets, one list for every front end: `onboard` in the CLI and the "Start from"
 * buttons of the Control UI's provider form. Ollama speaks the OpenAI API on its /v1 path.
 */

/** A preset: the button label, API family, base URL and a model to start with. */
export interface ProviderPreset {
  label: string;
  type: 'openai' | 'anthropic';
  baseUrl: string;
  model: string;
}

/** Ollama on this machine (no key), OpenAI-compatible, Anthropic-compatible; keyed by provider id. */
export const PROVIDER_PRESETS = {
  ollama: {
    label: 'Ollama',
    type: 'openai',
    baseUrl: 'http://127.0.0.1:11434/v1',
    model: 'llama3.2',
  },
  openai: {
    label: 'OpenAI',
    type: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    model: 'gpt-4o-mini',
  },
  anthropic: {
    label: 'Anthropic',
    type: 'anthropic',
    baseUrl: 'https://api.anthropic.com/v1',
    model: 'claude-3-5-haiku-latest',
  },
} as const satisfies Record<string, ProviderPreset>;

export type PresetName = keyof typeof PROVIDER_PRESETS;

/** The presets in display order, each with its id. */
export const PRESET_LIST = (Object.keys(PROVIDER_PRESETS) as PresetName[]).map((id) => ({
  id,
  ...PROVIDER_PRESETS[id],
}));
