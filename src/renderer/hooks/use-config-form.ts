/**
 * What every Control UI form that saves config shares: the `hash` of the config it was
 * filled from, held by the form, and what it shows when a save is refused. The page's
 * config query moves on whenever anyone saves (its `config.changed` reload); the form keeps
 * the hash of what it shows, so that saving over someone else's change is refused
 * (CONFLICT) instead of silently undoing it, and then reloads and says so.
 */
import { useState } from 'react';
import type { ConfigGet } from '../lib/api-types.js';
import type { SaveFailure } from '../lib/config-save.js';
import { isConfigConflict, saveFailure } from '../lib/config-save.js';
import { asGatewayError, useConnection } from './connection-context.js';

/** What {@link useConfigForm} gives a form. */
export interface ConfigForm {
  /** The hash to send as `baseHash`; undefined until the page's config.get answered. */
  baseHash: string | undefined;
  /** After the form's own save: the hash the gateway answered. */
  setBaseHash: (hash: string) => void;
  /**
   * The failure to show for `error`. On CONFLICT the form reloads first: `refill` gets the
   * config as saved now (the form shows it) and its hash becomes the next `baseHash`.
   */
  refusal: (error: unknown, refill: (fresh: ConfigGet) => void) => Promise<SaveFailure>;
}

/**
 * `loaded` is the page's current config hash; the form adopts the first one it sees (it
 * may mount before config.get answered) and moves it only after its own save or reload.
 */
export function useConfigForm(loaded: string | undefined): ConfigForm {
  const connection = useConnection();
  const [baseHash, setBaseHash] = useState(loaded);
  if (baseHash === undefined && loaded !== undefined) setBaseHash(loaded);

  const refusal = async (error: unknown, refill: (fresh: ConfigGet) => void) => {
    const refused = asGatewayError(error);
    if (!isConfigConflict(refused)) return saveFailure(refused);
    try {
      const fresh = await connection.request<ConfigGet>('config.get');
      setBaseHash(fresh.hash);
      refill(fresh);
      return saveFailure(refused);
    } catch (reloadError) {
      return saveFailure(asGatewayError(reloadError));
    }
  };
  return { baseHash, setBaseHash, refusal };
}
