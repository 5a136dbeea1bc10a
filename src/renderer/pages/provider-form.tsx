/**
 * Add or edit one model provider; the API key field is write-only. The provider and a typed
 * key are saved in ONE request (stored together or not at all), on the `baseHash` of the
 * config the form was filled from. On failure the form keeps every field, the typed key and
 * the key mode; on CONFLICT it reloads the provider from the file and says so.
 */
import type { FormEvent, ReactElement } from 'react';
import { useState } from 'react';
import type { ConfirmRequest } from '../components/confirm-dialog.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { FailureNote } from '../components/failure-note.js';
import { Icon } from '../components/icons.js';
import { InputField } from '../components/input-field.js';
import { SavedNote } from '../components/saved-note.js';
import { Card, Field } from '../components/ui.js';
import { useConnection } from '../hooks/connection-context.js';
import type { ConfigBase } from '../hooks/use-config-form.js';
import { useConfigForm } from '../hooks/use-config-form.js';
import type { ConfigGet, ProviderCredential, ProviderStatus } from '../lib/api-types.js';
import type { SaveFailure } from '../lib/config-save.js';
import { withBaseHash } from '../lib/config-save.js';
import type { ProviderDraft, ProviderFieldErrors } from '../lib/validate.js';
import { validateProvider } from '../lib/validate.js';
import { KeySection } from './provider-key-section.js';
import { ProbeButton } from './probe-button.js';
import { PRESET_LIST } from '../../shared/provider-presets.js';

export interface ProviderFormProps {
  /** The provider being edited; absent when adding. */
  existing: ProviderStatus | undefined;
  /** Its configured model list (from config.get). */
  models: readonly string[];
  /** The page's hash of the config.get the form is filled from. */
  base: ConfigBase;
  /** A confirmation carried over from the add form that created this provider. */
  initialNotice?: string | undefined;
  onSaved: (id: string) => void;
  /** The form reloaded from the file: the page should reload what it shows too. */
  onReloaded: () => void;
  onClose: () => void;
}

/** `models.providers.upsert` / `clearKey` answers, as far as the form uses them. */
interface SaveAnswer {
  credential?: ProviderCredential;
  hash?: string;
}

export function ProviderForm({
  existing,
  models,
  base,
  initialNotice,
  onSaved,
  onReloaded,
  onClose,
}: ProviderFormProps): ReactElement {
  const connection = useConnection();
  const [draft, setDraft] = useState<ProviderDraft>(() => ({
    id: existing?.id ?? '',
    type: existing?.type ?? 'openai',
    baseUrl: existing?.baseUrl ?? '',
    models: models.join('\n'),
  }));
  const [errors, setErrors] = useState<ProviderFieldErrors>({});
  const [apiKey, setApiKey] = useState('');
  // The gateway's latest answer wins, but our own save shows at once without waiting for it.
  const [override, setCredential] = useState<ProviderCredential | undefined>(undefined);
  const [basis, setBasis] = useState(existing?.credential);
  if (basis !== existing?.credential) {
    setBasis(existing?.credential);
    setCredential(undefined);
  }
  const credential = override ?? existing?.credential;
  const [replacing, setReplacing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | undefined>(initialNotice);
  const [failure, setFailure] = useState<SaveFailure | undefined>(undefined);
  const { baseHash, setBaseHash, refusal } = useConfigForm(base);
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);

  const editing = existing !== undefined;
  const update = (patch: Partial<ProviderDraft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    setNotice(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = validateProvider(draft);
    setErrors(result.errors);
    setFailure(undefined);
    if (!result.value) return;
    setSaving(true);
    try {
      const saved = await connection.request<SaveAnswer>('models.providers.upsert', {
        ...result.value,
        ...(apiKey === '' ? {} : { apiKey }),
        ...withBaseHash(baseHash),
      });
      if (saved.hash) setBaseHash(saved.hash);
      if (saved.credential) {
        setCredential(saved.credential);
        setReplacing(false);
      }
      // Stored: the key leaves the page and is never shown again.
      setApiKey('');
      setNotice('Saved.');
      onSaved(result.value.id);
    } catch (error) {
      // Nothing was saved: every field, the typed key and the key mode stay for a retry.
      await refuse(error);
    } finally {
      setSaving(false);
    }
  };

  /** Shows why a save was refused; on CONFLICT, first reloads the provider from the file. */
  const refuse = async (error: unknown) => {
    const refill = (fresh: ConfigGet) => {
      const stored = editing ? fresh.config.models?.providers?.[draft.id] : undefined;
      // A provider being added is the person's own input: there is nothing to reload.
      if (stored) {
        setDraft({
          id: draft.id,
          type: stored.type ?? draft.type,
          baseUrl: stored.baseUrl ?? '',
          models: (stored.models ?? []).join('\n'),
        });
      }
      onReloaded();
    };
    setFailure(await refusal(error, refill));
  };

  const removeKey = () =>
    setConfirm({
      title: `Remove the API key of “${draft.id}”?`,
      body: (
        <p>
          The key is deleted from the OS keychain. Chats that use this provider stop working until a
          new key is saved.
        </p>
      ),
      confirmLabel: 'Remove key',
      danger: true,
      onConfirm: () => {
        setFailure(undefined);
        connection
          .request<SaveAnswer>('models.providers.clearKey', {
            id: draft.id,
            ...withBaseHash(baseHash),
          })
          .then(
            (cleared) => {
              if (cleared.hash) setBaseHash(cleared.hash);
              setCredential({ source: 'none' });
              setNotice('Key removed.');
              onSaved(draft.id);
            },
            (error: unknown) => void refuse(error),
          );
      },
    });

  const showKeyInput = !credential || credential.source === 'none' || replacing;
  return (
    <Card
      title={editing ? `Edit provider “${existing.id}”` : 'Add a provider'}
      highlighted
      actions={
        <button
          type="button"
          className="btn btn-ghost btn-icon"
          aria-label="Close the form"
          onClick={onClose}
        >
          <Icon name="close" />
        </button>
      }
    >
      <form
        className="form"
        onSubmit={(event) => void submit(event)}
        noValidate
        aria-label="Provider"
      >
        {!editing ? (
          <div className="presets" role="group" aria-label="Presets">
            <span className="muted small">Start from</span>
            {PRESET_LIST.map((preset) => (
              <button
                key={preset.label}
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() =>
                  update({
                    type: preset.type,
                    baseUrl: preset.baseUrl,
                    id: draft.id === '' ? preset.id : draft.id,
                  })
                }
              >
                {preset.label}
              </button>
            ))}
          </div>
        ) : null}
        <div className="form-grid">
          <Field label="Type" error={errors.type}>
            {({ id, describedBy, invalid }) => (
              <select
                id={id}
                value={draft.type}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                onChange={(event) => update({ type: event.target.value })}
              >
                <option value="openai">OpenAI-compatible (OpenAI, Ollama, …)</option>
                <option value="anthropic">Anthropic</option>
              </select>
            )}
          </Field>
          <InputField
            label="Provider id"
            error={errors.id}
            hint={editing ? 'The id cannot change.' : 'Lowercase, e.g. openai'}
            value={draft.id}
            readOnly={editing}
            spellCheck={false}
            autoComplete="off"
            onValue={(id) => update({ id })}
          />
        </div>
        <InputField
          label="Base URL"
          error={errors.baseUrl}
          type="url"
          value={draft.baseUrl}
          placeholder="https://api.openai.com/v1"
          spellCheck={false}
          autoComplete="off"
          onValue={(baseUrl) => update({ baseUrl })}
        />
        <Field
          label="Models (optional)"
          error={errors.models}
          hint="One per line. The first is used when an agent names none; left empty, the first model the provider lists."
        >
          {({ id, describedBy, invalid }) => (
            <textarea
              id={id}
              rows={3}
              value={draft.models}
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(event) => update({ models: event.target.value })}
            />
          )}
        </Field>
        <KeySection
          credential={credential}
          showInput={showKeyInput}
          apiKey={apiKey}
          onKey={setApiKey}
          onReplace={() => setReplacing(true)}
          onRemove={removeKey}
        />
        {failure ? <FailureNote failure={failure} /> : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save changes' : 'Add provider'}
          </button>
          <ProbeButton providerId={existing?.id} />
          <SavedNote text={notice} />
        </div>
      </form>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </Card>
  );
}
