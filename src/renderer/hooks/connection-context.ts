/**
 * React glue for {@link UiGatewayConnection}: the context that carries it, its state as a
 * store, event subscriptions and a small "call a method, reload on events" hook.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { GatewayClientError } from '../../shared/gateway-client.js';
import { hasScope, type KnownScope } from '../../shared/scopes.js';
import type { UiGatewayConnection } from '../lib/connection.js';
import type { ConnectionSnapshot } from '../lib/connection-state.js';

export const ConnectionContext = createContext<UiGatewayConnection | null>(null);

/** The app's connection; throws outside the provider, which is a wiring bug. */
export function useConnection(): UiGatewayConnection {
  const connection = useContext(ConnectionContext);
  if (!connection) throw new Error('useConnection outside ConnectionContext');
  return connection;
}

export function useConnectionState(): ConnectionSnapshot {
  const connection = useConnection();
  return useSyncExternalStore(connection.subscribe, connection.getSnapshot);
}

/** Calls `handler` for each `event`; the latest handler is used without resubscribing. */
export function useGatewayEvent(event: string, handler: (payload: unknown) => void): void {
  const connection = useConnection();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => connection.on(event, (payload) => latest.current(payload)), [connection, event]);
}

/** Any thrown value as a gateway error, so the UI always has a message and a code. */
export function asGatewayError(error: unknown): GatewayClientError {
  if (error instanceof GatewayClientError) return error;
  return new GatewayClientError('INTERNAL', error instanceof Error ? error.message : String(error));
}

export interface QueryState<T> {
  data: T | undefined;
  error: GatewayClientError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * The refusal of a call this browser's scopes do not allow, made here instead of asking:
 * the gateway closes a connection after 10 such refusals (PROTOCOL.md "Scopes").
 */
export function missingScope(required: KnownScope, held: readonly string[]): GatewayClientError {
  return new GatewayClientError(
    'FORBIDDEN',
    `This browser was approved for ${held.join(', ') || 'no scopes'}; this needs ${required}. ` +
      'To give it more, open a link made for it by an admin: special-agent dashboard, or an invite with that scope.',
    { details: { code: 'MISSING_SCOPE', requiredScope: required } },
  );
}

/**
 * Calls `method` while connected, again after each reconnect and whenever one of
 * `refreshOn` arrives. Keeps the last data while reloading so lists do not flicker. A
 * method that `needs` a scope this browser is known not to hold is not called at all: the
 * state holds the refusal.
 */
export function useGatewayQuery<T>(
  method: string,
  params?: Record<string, unknown>,
  refreshOn: readonly string[] = [],
  needs?: KnownScope,
): QueryState<T> {
  const connection = useConnection();
  const { phase, generation, scopes } = useConnectionState();
  const refused = needs && scopes && !hasScope(scopes, needs) ? needs : undefined;
  // One error object while the refusal holds: pages may key effects on it.
  const refusal = useMemo(
    () => (refused && scopes ? missingScope(refused, scopes) : undefined),
    [refused, scopes],
  );
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<{
    data: T | undefined;
    error: GatewayClientError | undefined;
    done: number;
  }>({
    data: undefined,
    error: undefined,
    done: -1,
  });
  const paramsKey = JSON.stringify(params ?? null);
  const connected = phase === 'connected' && refused === undefined;
  const reload = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    if (!connected) return;
    let cancelled = false;
    const requested = JSON.parse(paramsKey) as Record<string, unknown> | null;
    const ticket = generation * 1_000_000 + version;
    connection.request<T>(method, requested ?? undefined).then(
      (data) => {
        if (!cancelled) setState({ data, error: undefined, done: ticket });
      },
      (error: unknown) => {
        if (!cancelled)
          setState((previous) => ({
            data: previous.data,
            error: asGatewayError(error),
            done: ticket,
          }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [connection, method, paramsKey, connected, generation, version]);

  const eventsKey = refreshOn.join(',');
  useEffect(() => {
    const events = eventsKey ? eventsKey.split(',') : [];
    const unsubscribe = events.map((event) => connection.on(event, () => setVersion((v) => v + 1)));
    return () => unsubscribe.forEach((fn) => fn());
  }, [connection, eventsKey]);

  if (refusal) return { data: undefined, error: refusal, loading: false, reload };
  const loading = state.done !== generation * 1_000_000 + version;
  return { data: state.data, error: state.error, loading, reload };
}

/** The current time, refreshed every `intervalMs` (ages and countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
