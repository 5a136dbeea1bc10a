/**
 * What a config writer answers (CONFLICT) when its `baseHash` names a file that changed
 * since: one text, shared by the gateway that sends it and the Control UI that recognises
 * it (another CONFLICT, e.g. "provider is used by agent", is a different refusal).
 */
export const CONFIG_CONFLICT_MESSAGE =
  'the config file changed since it was loaded (reload and try again)';
