/**
 * After a restart onto another port: the new address as a link. A new port is a new
 * origin to the browser (its own storage, so its own device key): the person signs in
 * there, which `special-agent dashboard` does in one step.
 */
import type { ReactElement } from 'react';
import type { Relocation } from '../lib/restart.js';

export function RelocationNote({ relocation }: { relocation: Relocation }): ReactElement {
  if (relocation.url === undefined) {
    return (
      <span>
        The gateway picks a free port as it starts. On its computer, run{' '}
        <code>special-agent dashboard</code> to open the UI at its new address.
      </span>
    );
  }
  return (
    <span className="break">
      The gateway now listens on port {relocation.port}. Open{' '}
      <a href={relocation.url}>{relocation.url}</a> and sign in there (
      <code>special-agent dashboard</code> opens it signed in).
    </span>
  );
}
