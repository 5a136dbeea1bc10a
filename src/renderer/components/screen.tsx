/** The full-window card of the screens shown before the app (sign in, pairing, errors). */
import type { ReactElement, ReactNode } from 'react';
import { Logo } from './icons.js';

export function Screen({
  title,
  children,
  wide,
}: {
  title: string;
  children: ReactNode;
  /** Room for commands and addresses, e.g. the secure-context explanation. */
  wide?: boolean;
}): ReactElement {
  return (
    <main className="screen">
      <section
        className={`screen-card${wide ? ' screen-card-wide' : ''}`}
        aria-labelledby="screen-title"
      >
        <div className="screen-brand">
          <Logo />
          <span>special-agent</span>
        </div>
        <h1 id="screen-title">{title}</h1>
        {children}
      </section>
    </main>
  );
}
