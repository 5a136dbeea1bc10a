/**
 * The provider form's API key block: where the stored key lives (OS keychain with Replace and
 * Remove, an environment variable that wins, or a plaintext copy in the file) and the
 * write-only key field.
 */
import type { ReactElement } from 'react';
import { Icon } from '../components/icons.js';
import { InputField } from '../components/input-field.js';
import type { ProviderCredential } from '../lib/api-types.js';

/** The key block of the provider form; the form holds the typed key and the key mode. */
export function KeySection(props: {
  credential: ProviderCredential | undefined;
  showInput: boolean;
  apiKey: string;
  onKey: (key: string) => void;
  onReplace: () => void;
  onRemove: () => void;
}): ReactElement {
  const { credential } = props;
  return (
    <div className="key-section">
      {credential?.source === 'keychain' ? (
        <div className="key-stored">
          <Icon name="key" />
          <span data-testid="key-status">stored in OS keychain · {credential.masked ?? '…'}</span>
          {!props.showInput ? (
            <button type="button" className="btn btn-secondary btn-small" onClick={props.onReplace}>
              Replace
            </button>
          ) : null}
          <button
            type="button"
            className="btn btn-ghost btn-small btn-danger-text"
            onClick={props.onRemove}
          >
            Remove
          </button>
        </div>
      ) : null}
      {credential?.source === 'env' ? (
        <p className="muted small">
          Using <code>{credential.envVar}</code> from the environment{' '}
          {credential.masked ? `· ${credential.masked}` : ''}. It wins over a key saved here.
        </p>
      ) : null}
      {credential?.source === 'config' ? (
        <p className="muted small">
          A plaintext key is in the config file. Saving a key here moves it to the OS keychain.
        </p>
      ) : null}
      {props.showInput ? (
        <InputField
          label="API key"
          hint="Write-only: stored in the OS keychain and never shown again. Not needed for local servers."
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={props.apiKey}
          onValue={props.onKey}
        />
      ) : null}
    </div>
  );
}
