/**
 * The `hash` of the config a form was filled from, held by the form. The page's config
 * query moves on whenever anyone saves (its `config.changed` reload); the form must keep
 * the hash of what it shows, so that saving over someone else's change is refused
 * (CONFLICT) instead of silently undoing it.
 */
import { useState } from 'react';

/**
 * `[held, setHeld]`: the first `loaded` hash this form saw. It moves only when the form
 * says so: after its own save (the hash the gateway answered) or after it reloaded.
 */
export function useBaseHash(
  loaded: string | undefined,
): [string | undefined, (hash: string) => void] {
  const [held, setHeld] = useState(loaded);
  // A form may mount before the page's config.get answered: it adopts the first answer.
  if (held === undefined && loaded !== undefined) setHeld(loaded);
  return [held, setHeld];
}
