/**
 * How a Control UI form that saves config talks about its save: the `baseHash` it sends
 * (the `hash` of the `config.get` it was filled from), whether a refusal means "the file
 * changed since", and a failure's text, which leads with what to do and says what was saved.
 */
import { CONFIG_CONFLICT_MESSAGE } from '../../shared/config-conflict.js';

/** Shown when a save was refused because the file changed since the form was loaded. */
export const CONFIG_CONFLICT_NOTICE =
  'The config file changed since this form was loaded (another window or the CLI saved it). ' +
  'The form now shows the saved values; make your change again.';

/** The CONFLICT text of "Add an agent", which keeps the typed agent for a retry. */
export const AGENT_CONFLICT_NOTICE =
  'The config file changed since this form was loaded (another window or the CLI saved it). ' +
  'The list above shows the saved agents; your new agent was not saved, check it and save again.';

/**
 * The CONFLICT text of a change made with a button, not a form (reordering or removing a
 * key, removing a provider, rotating the token): the page reloaded what it shows.
 */
export const PAGE_CONFLICT_NOTICE =
  'The config file changed since this page was loaded (another window or the CLI saved it). ' +
  'The page now shows the saved values; make your change again.';

/** The CONFLICT text of "Add a key", which keeps the typed name and key for a retry. */
export const ADD_KEY_CONFLICT_NOTICE =
  'The config file changed since this list was loaded (another window or the CLI saved it). ' +
  'The list now shows the saved keys; your key was not saved, check it and save again.';

/** The part of a gateway error this file looks at. */
export interface SaveError {
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
}

/** A failed save as the form shows it: the message, and the library's reason apart from it. */
export interface SaveFailure {
  message: string;
  /** The OS library's own words (e.g. "D-Bus: …"), for a bug report; not what to do. */
  detail?: string;
}

/** `{ baseHash }` for a request, or nothing while the form has no hash to offer. */
export function withBaseHash(hash: string | undefined): { baseHash?: string } {
  return hash === undefined ? {} : { baseHash: hash };
}

/** True when `error` is the refusal of a stale `baseHash` (not another CONFLICT). */
export function isConfigConflict(error: SaveError): boolean {
  return error.code === 'CONFLICT' && error.message === CONFIG_CONFLICT_MESSAGE;
}

/** "… KWallet (…). (D-Bus: the library's words)": the fix, then the reason in brackets. */
const TRAILING_REASON = /\.\s\(((?:D-Bus|Keychain|Credential Manager|cause): [^]*)\)$/;
const NOTHING_SAVED = /;\s*nothing was saved$/;

/**
 * The text of a save the gateway refused. A keychain refusal says what to do first and
 * that nothing was saved (the gateway stores a provider and its key together or not at
 * all), and keeps the library's reason as a detail rather than the headline.
 */
export function saveFailure(error: SaveError): SaveFailure {
  if (isConfigConflict(error)) return { message: CONFIG_CONFLICT_NOTICE };
  if (error.details?.code !== 'KEYCHAIN_UNAVAILABLE') return { message: error.message };
  const match = TRAILING_REASON.exec(error.message);
  const fix = (match ? error.message.slice(0, match.index) : error.message)
    .replace(/\.$/, '')
    .replace(NOTHING_SAVED, '');
  const message = `${fix}; nothing was saved.`;
  return match?.[1] ? { message, detail: match[1] } : { message };
}
