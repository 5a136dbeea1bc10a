/**
 * Providers: which model providers exist, whether their keys work (each auth profile with
 * its state), and the add/edit form.
 */
import type { ReactElement } from 'react';
import { useState } from 'react';
import type { ConfirmRequest } from '../components/confirm-dialog.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Icon } from '../components/icons.js';
import type { Tone } from '../components/ui.js';
import { Card, EmptyState, ErrorNote, Loading, PageHeader, Pill } from '../components/ui.js';
import { FailureNote } from '../components/failure-note.js';
import { useGatewayQuery } from '../hooks/connection-context.js';
import type { AuthProfile, AuthStatus, ConfigGet, ProviderStatus } from '../lib/api-types.js';
import type { SaveFailure } from '../lib/config-save.js';
import { PAGE_CONFLICT_NOTICE } from '../lib/config-save.js';
import { routeHref } from '../lib/route.js';
import { useConfigBase, useConfigForm } from '../hooks/use-config-form.js';
import { ProbeButton } from './probe-button.js';
import { ProviderForm } from './provider-form.js';
import { ProviderKeys } from './provider-keys.js';

const CONFIG_EVENTS = ['config.changed'];

const STATUS: Record<ProviderStatus['status'], { label: string; tone: Tone }> = {
  ok: { label: 'ready', tone: 'ok' },
  missing: { label: 'no key', tone: 'warn' },
  'not-required': { label: 'no key needed', tone: 'neutral' },
  invalid: { label: 'key rejected', tone: 'danger' },
};

function credentialText(provider: ProviderStatus): string {
  const { credential } = provider;
  switch (credential.source) {
    case 'keychain':
      return `stored in OS keychain · ${credential.masked ?? '…'}`;
    case 'env':
      return `from ${credential.envVar ?? 'the environment'}${credential.masked ? ` · ${credential.masked}` : ''}`;
    case 'config':
      return `plaintext in config file${credential.masked ? ` · ${credential.masked}` : ''}`;
    case 'none':
      return provider.status === 'not-required'
        ? 'no key (not needed for this local server)'
        : 'no key stored';
  }
}

export function ProvidersPage({
  edit,
  adding,
}: {
  edit: string | undefined;
  adding: boolean;
}): ReactElement {
  const status = useGatewayQuery<AuthStatus>('models.authStatus', undefined, CONFIG_EVENTS);
  const config = useGatewayQuery<ConfigGet>(
    'config.get',
    undefined,
    CONFIG_EVENTS,
    'operator.admin',
  );
  const keys = useGatewayQuery<{ profiles: AuthProfile[] }>(
    'models.auth.list',
    undefined,
    CONFIG_EVENTS,
  );
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const [failure, setFailure] = useState<SaveFailure | undefined>(undefined);
  const [savedId, setSavedId] = useState<string | undefined>(undefined);
  const providers = status.data?.providers ?? [];
  const editing = edit ? providers.find((provider) => provider.id === edit) : undefined;
  const modelsOf = (id: string) => config.data?.config.models?.providers?.[id]?.models ?? [];
  // The form, the keys lists and Remove save on the page's hash, which outlives the form
  // (add, then edit); each moves it on, so none makes another's next save a CONFLICT.
  const base = useConfigBase(config.data?.hash);
  const page = useConfigForm(base);

  const reload = () => {
    status.reload();
    config.reload();
    keys.reload();
  };
  const keysOf = (id: string) =>
    (keys.data?.profiles ?? []).filter((profile) => profile.provider === id);

  const remove = (provider: ProviderStatus) =>
    setConfirm({
      title: `Remove provider “${provider.id}”?`,
      body: <p>It is removed from the config and its API key is deleted from the OS keychain.</p>,
      confirmLabel: 'Remove provider',
      danger: true,
      onConfirm: () => {
        setFailure(undefined);
        page
          .save('models.providers.remove', { id: provider.id })
          .then(reload, async (error: unknown) =>
            setFailure(await page.refusal(error, reload, PAGE_CONFLICT_NOTICE)),
          );
      },
    });

  const showForm = adding || (edit !== undefined && editing !== undefined);
  return (
    <>
      <PageHeader
        title="Providers"
        subtitle="Model providers your agents talk to. API keys are kept in the OS keychain."
        actions={
          <a className="btn btn-primary" href={routeHref('providers', { add: '1' })}>
            <Icon name="plus" /> Add provider
          </a>
        }
      />
      {status.error ? <ErrorNote error={status.error} onRetry={reload} /> : null}
      {keys.error ? <ErrorNote error={keys.error} onRetry={reload} /> : null}
      {failure ? <FailureNote failure={failure} /> : null}
      {edit !== undefined && !editing && status.loading ? <Loading /> : null}
      {edit !== undefined && status.data && !editing && !status.loading ? (
        <ErrorNote error={`There is no provider “${edit}” yet.`}>
          <a href={routeHref('providers', { add: '1' })}>Add it</a>
        </ErrorNote>
      ) : null}
      {showForm ? (
        <ProviderForm
          key={editing?.id ?? 'new'}
          existing={editing}
          models={editing ? modelsOf(editing.id) : []}
          base={base}
          initialNotice={editing && editing.id === savedId ? 'Saved.' : undefined}
          onSaved={(id) => {
            setSavedId(id);
            reload();
            if (!editing) window.location.hash = routeHref('providers', { edit: id });
          }}
          onReloaded={reload}
          onClose={() => {
            window.location.hash = routeHref('providers');
          }}
        />
      ) : null}
      <Card title="Configured providers">
        {!status.data && status.loading ? <Loading /> : null}
        {status.data && providers.length === 0 ? (
          <EmptyState icon="providers" title="No providers yet">
            Add OpenAI, Anthropic or a local Ollama server to start chatting.
          </EmptyState>
        ) : null}
        <ul className="provider-list">
          {providers.map((provider) => {
            const pill = STATUS[provider.status] ?? {
              label: provider.status,
              tone: 'neutral' as const,
            };
            return (
              <li key={provider.id} className="provider-row" aria-label={`Provider ${provider.id}`}>
                <div className="provider-main">
                  <div className="cell-title">
                    {provider.id} <Pill tone={pill.tone}>{pill.label}</Pill>
                  </div>
                  <div className="muted small">
                    {provider.type === 'anthropic' ? 'Anthropic' : 'OpenAI-compatible'} ·{' '}
                    <span className="mono">{provider.baseUrl}</span>
                  </div>
                  {/* The keys block below says the same, per key; this line is its fallback. */}
                  {!keys.data ? (
                    <div className="muted small">
                      <Icon name="key" size={14} /> {credentialText(provider)}
                    </div>
                  ) : null}
                </div>
                <div className="row-actions">
                  <ProbeButton providerId={provider.id} />
                  <a
                    className="btn btn-ghost btn-small"
                    href={routeHref('providers', { edit: provider.id })}
                    aria-label={`Edit ${provider.id}`}
                  >
                    <Icon name="edit" /> Edit
                  </a>
                  <button
                    type="button"
                    className="btn btn-ghost btn-small btn-danger-text"
                    aria-label={`Remove ${provider.id}`}
                    onClick={() => remove(provider)}
                  >
                    <Icon name="trash" /> Remove
                  </button>
                </div>
                {keys.data ? (
                  <ProviderKeys
                    providerId={provider.id}
                    needsKey={provider.status !== 'not-required'}
                    envVar={provider.credential.envVar}
                    profiles={keysOf(provider.id)}
                    base={base}
                    onChanged={reload}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      </Card>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </>
  );
}
