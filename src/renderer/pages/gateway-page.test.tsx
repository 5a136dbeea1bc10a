// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { TlsFingerprint } from './gateway-page.js';

const FINGERPRINT = Array.from({ length: 32 }, (_, i) =>
  i.toString(16).toUpperCase().padStart(2, '0'),
).join(':');

afterEach(cleanup);

describe('the Gateway page TLS fingerprint', () => {
  it('shows the whole fingerprint and the expiry date when TLS is on', () => {
    render(
      <TlsFingerprint
        tls={{ enabled: true, fingerprintSha256: FINGERPRINT, expiresAtMs: Date.UTC(2028, 3, 1) }}
      />,
    );
    expect(screen.getByLabelText('TLS certificate fingerprint').textContent).toBe(FINGERPRINT);
    expect(screen.getByText('2028-04-01')).toBeTruthy();
  });

  it('shows nothing when the gateway speaks plain HTTP', () => {
    const { container } = render(<TlsFingerprint tls={{ enabled: false }} />);
    expect(container.textContent).toBe('');
  });
});
