/**
 * The page's one polite live region (visually hidden): screen readers read each new
 * announcement after what they are reading now. Always in the document, so the first
 * announcement is heard too (a region added together with its text often is not).
 */
import type { ReactElement } from 'react';
import { useSyncExternalStore } from 'react';
import { useBrowserServices } from '../hooks/browser-services.js';

export function LiveRegion(): ReactElement {
  const { announcer } = useBrowserServices();
  const items = useSyncExternalStore(announcer.subscribe, announcer.getSnapshot);
  return (
    <div className="live-region visually-hidden" role="status" aria-live="polite">
      {items.map((item) => (
        <p key={item.id}>{item.text}</p>
      ))}
    </div>
  );
}
