/**
 * A model field filled from `models.list`: an `<input list>` with a `<datalist>`, so any
 * name can still be typed (a model the provider does not list, or one not pulled yet).
 * Empty means "the provider's first model", which the placeholder says.
 */
import type { ReactElement } from 'react';
import { useEffect, useId, useState } from 'react';
import type { ModelListPayload } from '../../shared/protocol.js';
import { asGatewayError, useConnection, useConnectionState } from '../hooks/connection-context.js';
import { Field } from './ui.js';

/** The empty choice's hint. */
export const FIRST_MODEL_HINT = '(first listed model)';

interface ModelList {
  provider: string;
  models: string[];
  error?: { code: string; message: string };
}

/** `models.list` of `provider` (nothing for an empty one), asked again after a reconnect. */
export function useModelList(provider: string): ModelList | undefined {
  const connection = useConnection();
  const { phase, generation } = useConnectionState();
  const [list, setList] = useState<ModelList | undefined>(undefined);
  const connected = phase === 'connected';
  useEffect(() => {
    if (!connected || provider === '') return;
    let cancelled = false;
    connection.request<ModelListPayload>('models.list', { provider }).then(
      (payload) => {
        if (!cancelled) setList({ provider, models: payload.models.map((model) => model.id) });
      },
      (error: unknown) => {
        if (cancelled) return;
        const failure = asGatewayError(error);
        const code =
          typeof failure.details?.code === 'string' ? failure.details.code : failure.code;
        setList({ provider, models: [], error: { code, message: failure.message } });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [connection, provider, connected, generation]);
  // A list fetched for the previous provider is not this one's.
  return list?.provider === provider ? list : undefined;
}

/** Configured models first (the gateway uses the first of them), then the listed ones. */
export function modelChoices(configured: readonly string[], listed: readonly string[]): string[] {
  return [...new Set([...configured, ...listed])];
}

export function ModelField(props: {
  provider: string;
  value: string;
  onChange: (model: string) => void;
  /** The provider's configured models, when the page knows them (config.get). */
  configured?: readonly string[];
  label?: string;
}): ReactElement {
  const listId = useId();
  const listed = useModelList(props.provider);
  const choices = modelChoices(props.configured ?? [], listed?.models ?? []);
  const first = choices[0];
  const hint =
    !listed?.error || first
      ? `Leave empty for the provider’s first model${first ? ` (${first})` : ''}.`
      : listed.error.code === 'PROVIDER_NO_CREDENTIALS'
        ? 'Its models are listed once it has a key; you can type a name meanwhile.'
        : `Could not list its models (${listed.error.message}); you can still type a name.`;
  return (
    <Field label={props.label ?? 'Model'} hint={props.provider ? hint : undefined}>
      {({ id, describedBy }) => (
        <>
          <input
            id={id}
            list={listId}
            value={props.value}
            placeholder={FIRST_MODEL_HINT}
            spellCheck={false}
            autoComplete="off"
            aria-describedby={describedBy}
            onChange={(event) => props.onChange(event.target.value)}
          />
          <datalist id={listId}>
            {choices.map((model) => (
              <option key={model} value={model} />
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
}
