/**
 * For component tests: a connection whose every request `answer` settles (given the method
 * and its params, `{}` when none were sent), recording what was sent. Events never arrive
 * (`on` returns a no-op unsubscribe).
 */
import type { UiGatewayConnection } from './connection.js';

export function connectionAnswering(
  answer: (method: string, params: Record<string, unknown>) => Promise<unknown>,
): {
  connection: UiGatewayConnection;
  calls: { method: string; params: Record<string, unknown> }[];
} {
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const connection = {
    request: (method: string, params: Record<string, unknown> = {}) => {
      calls.push({ method, params });
      return answer(method, params);
    },
    on: () => () => undefined,
  } as unknown as UiGatewayConnection;
  return { connection, calls };
}
