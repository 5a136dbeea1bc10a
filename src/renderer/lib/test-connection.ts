/**
 * For component tests: a connection whose every request `answer` settles, recording what was
 * sent. Events never arrive (`on` returns a no-op unsubscribe).
 */
import type { UiGatewayConnection } from './connection.js';

export function connectionAnswering(answer: () => Promise<unknown>): {
  connection: UiGatewayConnection;
  calls: { method: string; params: unknown }[];
} {
  const calls: { method: string; params: unknown }[] = [];
  const connection = {
    request: (method: string, params?: Record<string, unknown>) => {
      calls.push({ method, params });
      return answer();
    },
    on: () => () => undefined,
  } as unknown as UiGatewayConnection;
  return { connection, calls };
}
