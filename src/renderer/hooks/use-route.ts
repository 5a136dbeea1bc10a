/** The current hash route as React state. */
import { useEffect, useMemo, useState } from 'react';
import type { Route } from '../lib/route.js';
import { parseRoute } from '../lib/route.js';

export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const update = () => setHash(window.location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}
