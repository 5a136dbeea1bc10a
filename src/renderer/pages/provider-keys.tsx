/**
 * A provider's auth profiles (`models.auth.list`): each named key with its state, masked
 * tail, last use and last error; add one (`models.auth.add`, the key field is write-only,
 * emptied once the key is stored and kept for a retry when it was refused), remove one, and change the order a chat tries them in
 * (`models.auth.order`) with "Move up" / "Move down". Every change goes on the page's config
 * hash and moves it on, so the provider form's next save is not refused as someone else's;
 * on CONFLICT (an order computed from a stale list) the list reloads and says so.
 */
import type { FormEvent, ReactElement } from 'react';
import { useEffect, useRef, useState } from 'react';
import { DEFAULT_PROFILE, PROFILE_NAME_PATTERN } from '../../shared/provider-id.js';
import type { AuthProfile } from '../../shared/protocol.js';
import type { ConfirmRequest } from '../components/confirm-dialog.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { FailureNote } from '../components/failure-note.js';
import { Icon } from '../components/icons.js';
import { InputField } from '../components/input-field.js';
import { SavedNote } from '../components/saved-note.js';
import { Pill } from '../components/ui.js';
import { useNow } from '../hooks/connection-context.js';
import type { ConfigBase } from '../hooks/use-config-form.js';
import { useConfigForm } from '../hooks/use-config-form.js';
import type { SaveFailure } from '../lib/config-save.js';
import { ADD_KEY_CONFLICT_NOTICE, PAGE_CONFLICT_NOTICE } from '../lib/config-save.js';
import { lastErrorText, lastUsedText, moveProfile, profileChip } from '../lib/profile-view.js';

const SOURCE: Record<AuthProfile['source'], string> = {
  keychain: 'OS keychain',
  env: 'environment variable',
  config: 'plaintext in the config file',
};

const timeOf = (ms: number) =>
  new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function ProviderKeys(props: {
  providerId: string;
  /** False for a provider on this machine, which answers without a key. */
  needsKey: boolean;
  /** The environment variable that feeds the `default` profile. */
  envVar?: string | undefined;
  /** This provider's profiles, in try order. */
  profiles: readonly AuthProfile[];
  /** The page's config hash: every change here goes on it and moves it on. */
  base: ConfigBase;
  onChanged: () => void;
}): ReactElement {
  const form = useConfigForm(props.base);
  const now = useNow(15_000);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<SaveFailure | undefined>(undefined);
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  // After a move the row's DOM node moves too; put focus back on the button that moved it.
  const [refocus, setRefocus] = useState<string | undefined>(undefined);
  const [adding, setAdding] = useState(false);
  const listRef = useRef<HTMLOListElement>(null);
  const names = props.profiles.map((profile) => profile.profile);
  const namesKey = names.join(',');

  useEffect(() => {
    if (!refocus) return;
    const [name = '', step] = refocus.split(':');
    const other = step === '-1' ? '1' : '-1';
    // At the top (or bottom) the button that moved it is disabled: the other one takes focus.
    const buttons = [
      ...(listRef.current?.querySelectorAll<HTMLButtonElement>('button[data-move]') ?? []),
    ];
    const candidates = [refocus, `${name}:${other}`].map((key) =>
      buttons.find((button) => button.dataset.move === key),
    );
    candidates.find((button) => button && !button.disabled)?.focus();
  }, [refocus, namesKey]);

  const act = (method: string, params: Record<string, unknown>) => {
    setBusy(true);
    setFailure(undefined);
    return form.save(method, { provider: props.providerId, ...params }).then(
      () => {
        setBusy(false);
        props.onChanged();
      },
      async (error: unknown) => {
        setFailure(await form.refusal(error, props.onChanged, PAGE_CONFLICT_NOTICE));
        setBusy(false);
      },
    );
  };

  const move = (name: string, step: -1 | 1) => {
    setRefocus(`${name}:${step}`);
    void act('models.auth.order', { order: moveProfile(names, name, step) });
  };

  const remove = (name: string) =>
    setConfirm({
      title: `Remove the key “${name}” of “${props.providerId}”?`,
      body: <p>It is deleted from the OS keychain. Chats use the other keys from now on.</p>,
      confirmLabel: 'Remove key',
      danger: true,
      onConfirm: () => void act('models.auth.remove', { profile: name }),
    });

  return (
    <section className="provider-keys" aria-label={`Keys of ${props.providerId}`}>
      <div className="keys-head">
        <h3 className="keys-title">
          Keys{' '}
          {props.profiles.length > 1 ? (
            <span className="muted small">
              tried in this order; a rejected key is skipped until it is replaced
            </span>
          ) : null}
        </h3>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-expanded={adding}
          onClick={() => setAdding(!adding)}
        >
          <Icon name="plus" size={16} /> Add a key
        </button>
      </div>
      {props.profiles.length === 0 ? (
        <p className="muted small">
          {props.needsKey
            ? `No key yet: add one${props.envVar ? `, or set ${props.envVar}` : ''}.`
            : 'No key needed: this provider runs on this machine.'}
        </p>
      ) : null}
      <ol className="key-list" ref={listRef}>
        {props.profiles.map((profile, index) => {
          const chip = profileChip(profile, timeOf);
          const error = lastErrorText(profile, now);
          const name = profile.profile;
          return (
            <li key={name} className="key-row" aria-label={`Key ${name}`}>
              <div className="key-main">
                <div className="cell-title">
                  <span className="mono">{name}</span> <Pill tone={chip.tone}>{chip.label}</Pill>
                </div>
                <div className="muted small">
                  {profile.source === 'env' && props.envVar
                    ? `from ${props.envVar}`
                    : SOURCE[profile.source]}{' '}
                  · <span className="mono">{profile.masked ?? '…'}</span> ·{' '}
                  {lastUsedText(profile, now)}
                </div>
                {error ? <div className="muted small">{error}</div> : null}
                {profile.disabledReason ? (
                  <div className="small key-reason">{profile.disabledReason}</div>
                ) : null}
              </div>
              <div className="row-actions">
                <button
                  type="button"
                  className="btn btn-ghost btn-icon btn-small"
                  aria-label={`Move ${name} up`}
                  data-move={`${name}:-1`}
                  disabled={busy || index === 0}
                  onClick={() => move(name, -1)}
                >
                  <span className="icon-up">
                    <Icon name="chevron" size={16} />
                  </span>
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-icon btn-small"
                  aria-label={`Move ${name} down`}
                  data-move={`${name}:1`}
                  disabled={busy || index === props.profiles.length - 1}
                  onClick={() => move(name, 1)}
                >
                  <Icon name="chevron" size={16} />
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-small btn-danger-text"
                  aria-label={`Remove ${name}`}
                  title={
                    profile.source === 'env' ? 'Unset the environment variable instead' : undefined
                  }
                  disabled={busy || profile.source === 'env'}
                  onClick={() => remove(name)}
                >
                  <Icon name="trash" size={16} /> Remove
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      {failure ? <FailureNote failure={failure} /> : null}
      {adding ? (
        <AddKeyForm
          providerId={props.providerId}
          taken={names}
          base={props.base}
          onAdded={props.onChanged}
          onClose={() => setAdding(false)}
        />
      ) : null}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </section>
  );
}

function AddKeyForm(props: {
  providerId: string;
  taken: readonly string[];
  base: ConfigBase;
  onAdded: () => void;
  onClose: () => void;
}): ReactElement {
  const form = useConfigForm(props.base);
  const [name, setName] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [errors, setErrors] = useState<{ name?: string; key?: string }>({});
  const [failure, setFailure] = useState<SaveFailure | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | undefined>(undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const profile = name.trim();
    const next: { name?: string; key?: string } = {};
    if (!PROFILE_NAME_PATTERN.test(profile))
      next.name = 'Use 1–32 of a-z, 0-9, ".", "_" and "-", e.g. work';
    if (apiKey.trim() === '') next.key = 'Paste the API key';
    setErrors(next);
    setNotice(undefined);
    if (next.name || next.key) return;
    setSaving(true);
    setFailure(undefined);
    try {
      await form.save('models.auth.add', {
        provider: props.providerId,
        profile,
        apiKey,
      });
      setNotice(props.taken.includes(profile) ? `Replaced “${profile}”.` : `Added “${profile}”.`);
      setName('');
      // Stored: the key leaves the page and is never shown again.
      setApiKey('');
      props.onAdded();
    } catch (error) {
      // Nothing was stored: the name and the typed key stay, so a retry needs no re-paste.
      setFailure(await form.refusal(error, props.onAdded, ADD_KEY_CONFLICT_NOTICE));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="form add-key"
      aria-label={`Add a key to ${props.providerId}`}
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <div className="form-grid">
        <InputField
          label="Profile name"
          error={errors.name}
          hint={`e.g. work; “${DEFAULT_PROFILE}” is the provider’s own key. A name in use is replaced.`}
          value={name}
          spellCheck={false}
          autoComplete="off"
          onValue={setName}
          autoFocus
        />
        <InputField
          label="API key"
          error={errors.key}
          hint="Write-only: kept in the OS keychain and never shown again."
          type="password"
          value={apiKey}
          autoComplete="off"
          spellCheck={false}
          onValue={setApiKey}
        />
      </div>
      {failure ? <FailureNote failure={failure} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={saving}>
          {saving ? 'Saving…' : 'Save key'}
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={props.onClose}>
          Done
        </button>
        <SavedNote text={notice} />
      </div>
    </form>
  );
}
