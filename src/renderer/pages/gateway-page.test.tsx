// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionContext } from '../hooks/connection-context.js';
import { useConfigBase } from '../hooks/use-config-form.js';
import { fakeConfigGateway, polyfillDialog } from './config-gateway.test-support.js';
import { AuthCard } from './gateway-page.js';
import { TlsFingerprint } from './gateway-page.js';
import { NetworkCard } from './gateway-settings.js';

const FINGERPRINT = Array.from({ length: 32 }, (_, i) =>
  i.toString(16).toUpperCase().padStart(2, '0'),
).join(':');

beforeAll(polyfillDialog);
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

describe('the Gateway page, one config hash for token rotation and the settings cards', () => {
  it('rotating the token, then saving the network settings: the save goes on the hash the rotation answered, with no conflict', async () => {
    const gateway = fakeConfigGateway({
      config: { gateway: { bind: 'loopback', port: 18789 } },
      reads: {},
      writers: ['gateway.auth.rotate', 'config.set'],
    });
    const loaded = gateway.hash();
    function Page() {
      const base = useConfigBase(loaded);
      return (
        <>
          <AuthCard mode="token" base={base} onReloaded={() => undefined} />
          <NetworkCard bind="loopback" port="18789" listeningPort={18789} base={base} />
        </>
      );
    }
    render(
      <ConnectionContext value={gateway.connection}>
        <Page />
      </ConnectionContext>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Rotate token' }));
    const dialog = within(screen.getByRole('dialog'));
    fireEvent.click(dialog.getByRole('button', { name: 'Rotate token' }));
    await screen.findByText(/^Token rotated\./);
    expect(gateway.last('gateway.auth.rotate'), 'the rotation, on the loaded hash').toEqual({
      baseHash: loaded,
    });
    const rotated = gateway.hash();
    fireEvent.change(screen.getByLabelText('Port'), { target: { value: '19001' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save network settings' }));
    await waitFor(() => expect(gateway.count('config.set'), 'the save').toBe(1));
    expect(gateway.last('config.set')?.baseHash, 'the save, on the rotation’s hash').toBe(rotated);
    expect(await screen.findByText('Saved.'), 'no conflict: saved').toBeTruthy();
  });
});
