// A hand-written config file: comments everywhere, unquoted keys, both quote styles, trailing commas.
/** Test fixture. */
export const HAND_EDITED_CONFIG = `// special-agent config — hand edited
{
  gateway: {
    port: 18789, // change needs a restart
    bind: 'loopback',
    auth: { mode: 'token' },
    /* proxies in front of us */
    trustedProxies: ['10.0.0.1',],
  },
  models: {
    providers: {
      // local first
      ollama: { type: "openai", baseUrl: 'http://localhost:11434/v1' },
    },
  },
  agents: {
    default: 'main',
    list: [
      { id: 'main', model: { provider: 'ollama', name: 'llama3.2' } },
    ],
  },
}
`;
