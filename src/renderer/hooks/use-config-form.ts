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
import { isConfigConflict, saveFailure, withBaseHash } from '../lib/config-save.js';
import { asGatewayError, useConnection } from './connection-context.js';

/**
 * The hash a page's forms save on, held by the page: its forms are filled from one
 * config.get, and one form's save must not make its neighbours' next save a CONFLICT.
 */
export interface ConfigBase {
  /** The hash to send as `baseHash`; undefined until the page's config.get answered. */
  baseHash: string | undefined;
  /** After a save on this page: the hash the gateway answered. */
  setBaseHash: (hash: string) => void;
}

/** What {@link useConfigForm} gives a form. */
export interface ConfigForm extends ConfigBase {
  /**
   * The failure to show for `error`. On CONFLICT the form reloads first: `refill` gets the
   * config as saved now (the form shows it) and its hash becomes the next `baseHash`.
   * `conflictNotice` replaces the CONFLICT text where "the form now shows the saved values"
   * is not what happened (a new entry the form keeps for a retry).
   */
  refusal: (
    error: unknown,
    refill: (fresh: ConfigGet) => void,
    conflictNotice?: string,
  ) => Promise<SaveFailure>;
  /**
   * Calls config-writing `method` with `params` on the page's hash; the hash it answers
   * becomes the page's, so the next save on this page is not refused as someone else's.
   */
  save: <T extends { hash?: string }>(
    method: string,
    params: Record<string, unknown>,
  ) => Promise<T>;
}

/**
 * `loaded` is the page's config.get hash; the page adopts the first one it sees (its forms
 * may mount before config.get answered) and moves it only after a save or reload of its own.
 */
export function useConfigBase(loaded: string | undefined): ConfigBase {
  const [baseHash, setBaseHash] = useState(loaded);
  if (baseHash === undefined && loaded !== undefined) setBaseHash(loaded);
  return { baseHash, setBaseHash };
}

/** A form's save helpers on its page's {@link ConfigBase}. */
export function useConfigForm({ baseHash, setBaseHash }: ConfigBase): ConfigForm {
  const connection = useConnection();

  const refusal = async (
    error: unknown,
    refill: (fresh: ConfigGet) => void,
    conflictNotice?: string,
  ) => {
    const refused = asGatewayError(error);
    if (!isConfigConflict(refused)) return saveFailure(refused);
    try {
      const fresh = await connection.request<ConfigGet>('config.get');
      setBaseHash(fresh.hash);
      refill(fresh);
      return conflictNotice === undefined ? saveFailure(refused) : { message: conflictNotice };
    } catch (reloadError) {
      return saveFailure(asGatewayError(reloadError));
    }
  };
  const save = async <T extends { hash?: string }>(
    method: string,
    params: Record<string, unknown>,
  ) => {
    const answer = await connection.request<T>(method, { ...params, ...withBaseHash(baseHash) });
    if (answer.hash !== undefined) setBaseHash(answer.hash);
    return answer;
  };
  return { baseHash, setBaseHash, refusal, save };
}
