/**
 * Gateway: live status (with Restart), auth (token rotation), network settings, the two
 * allowlists, and "This browser" (theme, notifications).
 */
import type { ReactElement } from 'react';
import { useEffect, useState } from 'react';
import type { StatusPayload } from '../../shared/protocol.js';
import { BrowserSettings } from '../components/browser-settings.js';
import type { ConfirmRequest } from '../components/confirm-dialog.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Icon } from '../components/icons.js';
import { RestartGateway } from '../components/restart-gateway.js';
import { Card, ErrorNote, Loading, PageHeader, Pill } from '../components/ui.js';
import { useConnection, useGatewayQuery } from '../hooks/connection-context.js';
import type { ConfigBase } from '../hooks/use-config-form.js';
import { useConfigBase, useConfigForm } from '../hooks/use-config-form.js';
import type { ConfigGet } from '../lib/api-types.js';
import { PAGE_CONFLICT_NOTICE } from '../lib/config-save.js';
import { formatDuration } from '../lib/format.js';
import { originError, proxyEntryError } from '../lib/validate.js';
import { ListCard, NetworkCard } from './gateway-settings.js';

const CONFIG_EVENTS = ['config.changed'];
/** How often the status card refreshes while the page is open. */
const STATUS_REFRESH_MS = 5000;

export function GatewayPage(): ReactElement {
  const status = useGatewayQuery<StatusPayload>('status', undefined, [
    'device.pair.requested',
    'device.pair.resolved',
  ]);
  const config = useGatewayQuery<ConfigGet>(
    'config.get',
    undefined,
    CONFIG_EVENTS,
    'operator.admin',
  );
  const { reload: reloadStatus } = status;
  useEffect(() => {
    const timer = setInterval(reloadStatus, STATUS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadStatus]);
  const gateway = config.data?.config.gateway;
  // One hash for every card: they are filled from one config.get (see useConfigBase).
  const base = useConfigBase(config.data?.hash);

  return (
    <>
      <PageHeader title="Gateway" subtitle="How this gateway listens and who may sign in." />
      {config.error ? <ErrorNote error={config.error} onRetry={config.reload} /> : null}
      <div className="two-column">
        <StatusCard
          status={status.data}
          loading={status.loading}
          error={status.error?.message}
          configuredPort={gateway?.port}
        />
        <AuthCard mode={status.data?.authMode} base={base} onReloaded={config.reload} />
      </div>
      {!config.data ? (
        <Loading />
      ) : (
        <>
          <NetworkCard
            bind={String(gateway?.bind ?? 'loopback')}
            port={String(gateway?.port ?? '')}
            listeningPort={status.data?.port}
            base={base}
          />
          <div className="two-column">
            <ListCard
              title="Trusted proxies"
              description="Reverse proxies on these addresses may tell the gateway the real client address (X-Forwarded-For). Their clients are never treated as local."
              path="gateway.trustedProxies"
              initial={gateway?.trustedProxies ?? []}
              savedIn={(fresh) => fresh.config.gateway?.trustedProxies ?? []}
              base={base}
              check={proxyEntryError}
              placeholder="127.0.0.2 or 10.0.0.0/8"
              addLabel="Add proxy"
            />
            <ListCard
              title="Allowed origins"
              description="Extra web origins that may open the Control UI and connect to the gateway."
              path="gateway.controlUi.allowedOrigins"
              initial={gateway?.controlUi?.allowedOrigins ?? []}
              savedIn={(fresh) => fresh.config.gateway?.controlUi?.allowedOrigins ?? []}
              base={base}
              check={originError}
              placeholder="https://agent.example.com"
              addLabel="Add origin"
            />
          </div>
        </>
      )}
      <BrowserSettings />
    </>
  );
}

function StatusCard(props: {
  status: StatusPayload | undefined;
  loading: boolean;
  error: string | undefined;
  configuredPort: number | undefined;
}): ReactElement {
  const { status } = props;
  return (
    <Card title="Status" actions={status ? <Pill tone="ok">running</Pill> : null}>
      {props.error ? <ErrorNote error={props.error} /> : null}
      {!status && props.loading ? <Loading /> : null}
      {status ? (
        <dl className="stats">
          <div>
            <dt>Uptime</dt>
            <dd>{formatDuration(status.uptimeMs)}</dd>
          </div>
          <div>
            <dt>Connections</dt>
            <dd>{status.connections}</dd>
          </div>
          <div>
            <dt>Pending pairings</dt>
            <dd>{status.pendingPairings}</dd>
          </div>
          <div>
            <dt>Listening</dt>
            <dd className="mono">
              {status.bind}:{status.port}
            </dd>
          </div>
          <div>
            <dt>Keychain</dt>
            <dd>
              <Pill tone={status.keychain.available ? 'ok' : 'danger'}>
                {status.keychain.available ? status.keychain.backend || 'available' : 'unavailable'}
              </Pill>
            </dd>
          </div>
          <div>
            <dt>TLS</dt>
            <dd>
              <Pill tone={status.tls.enabled ? 'ok' : 'neutral'}>
                {status.tls.enabled ? 'on' : 'off'}
              </Pill>
            </dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>{status.version}</dd>
          </div>
        </dl>
      ) : null}
      {status ? <TlsFingerprint tls={status.tls} /> : null}
      {status ? (
        <div className="form-actions">
          <RestartGateway
            label="Restart gateway"
            listeningPort={status.port}
            configuredPort={props.configuredPort}
          />
        </div>
      ) : null}
    </Card>
  );
}

/**
 * The certificate's SHA-256 fingerprint, the value a remote CLI or device pins
 * (`--tls-fingerprint`); nothing when the gateway speaks plain HTTP.
 */
export function TlsFingerprint({ tls }: { tls: StatusPayload['tls'] }): ReactElement | null {
  if (!tls.enabled || tls.fingerprintSha256 === undefined) return null;
  return (
    <>
      <dl className="facts">
        <dt>TLS fingerprint (SHA-256)</dt>
        <dd className="mono" aria-label="TLS certificate fingerprint">
          {tls.fingerprintSha256}
        </dd>
        {tls.expiresAtMs === undefined ? null : (
          <>
            <dt>Certificate valid until</dt>
            <dd>{new Date(tls.expiresAtMs).toISOString().slice(0, 10)}</dd>
          </>
        )}
      </dl>
      <p className="muted">
        Remote clients pin this fingerprint: <code>--tls-fingerprint</code> on the CLI.
      </p>
    </>
  );
}

/**
 * Token rotation. It writes the file when it moves a plaintext token to the keychain, so it
 * goes on the page's hash and moves it on like the settings cards.
 */
export function AuthCard({
  mode,
  base,
  onReloaded,
}: {
  mode: StatusPayload['authMode'] | undefined;
  base: ConfigBase;
  onReloaded: () => void;
}): ReactElement {
  const connection = useConnection();
  const form = useConfigForm(base);
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const rotate = () =>
    setConfirm({
      title: 'Rotate the gateway token?',
      body: (
        <p>
          A new token replaces the current one.{' '}
          <strong>Every other session signed in with the old token disconnects</strong> — other
          browsers, the desktop window and CLI scripts that pass the token — and must sign in with
          the new one. This page stays connected.
        </p>
      ),
      confirmLabel: 'Rotate token',
      danger: true,
      onConfirm: () => {
        setResult(undefined);
        form.save<{ mode: string; hash?: string }>('gateway.auth.rotate', {}).then(
          () => {
            connection.forgetSharedToken();
            setResult({
              ok: true,
              text: 'Token rotated. Run special-agent dashboard to open the UI with the new token.',
            });
          },
          async (error: unknown) => {
            const failure = await form.refusal(error, onReloaded, PAGE_CONFLICT_NOTICE);
            setResult({ ok: false, text: failure.message });
          },
        );
      },
    });
  return (
    <Card
      title="Authentication"
      actions={mode ? <Pill tone={mode === 'none' ? 'warn' : 'ok'}>{mode}</Pill> : null}
    >
      <p className="muted">
        {mode === 'password'
          ? 'Clients sign in with the gateway password or a device token.'
          : mode === 'none'
            ? 'No secret is required (loopback only).'
            : 'Clients sign in with the gateway token or a device token issued to their device.'}
      </p>
      {mode === 'token' ? (
        <div className="note note-warn">
          <Icon name="alert" />
          <div className="note-body">
            Rotating the token disconnects every other session that uses it.
          </div>
        </div>
      ) : null}
      {result ? (
        result.ok ? (
          <p className="saved-note" role="status">
            <Icon name="check" /> {result.text}
          </p>
        ) : (
          <ErrorNote error={result.text} />
        )
      ) : null}
      <div className="form-actions">
        <button
          type="button"
          className="btn btn-danger"
          onClick={rotate}
          disabled={mode === undefined || mode === 'none'}
        >
          <Icon name="refresh" /> Rotate {mode === 'password' ? 'password' : 'token'}
        </button>
      </div>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </Card>
  );
}
