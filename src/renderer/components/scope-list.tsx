/** Scopes as small code chips ("default" when none were asked for). */
import type { ReactElement } from 'react';

export function ScopeList({ scopes }: { scopes: readonly string[] }): ReactElement {
  if (scopes.length === 0) return <span className="muted">default</span>;
  return (
    <span className="chips">
      {scopes.map((scope) => (
        <code key={scope} className="chip">
          {scope}
        </code>
      ))}
    </span>
  );
}
