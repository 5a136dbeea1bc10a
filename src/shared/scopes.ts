/**
 * Operator scopes (PROTOCOL.md "Scopes"). `admin` implies all others; `write` implies
 * `read`. Unknown scopes (e.g. OpenClaw's `operator.approvals`) are recorded but grant nothing.
 */
export const KNOWN_SCOPES = [
  'operator.read',
  'operator.write',
  'operator.pairing',
  'operator.admin',
] as const;
export type KnownScope = (typeof KNOWN_SCOPES)[number];

/** Scopes a device gets when `connect` asks for none. */
export const DEFAULT_SCOPES: readonly KnownScope[] = ['operator.admin'];

const IMPLIED: Record<KnownScope, readonly KnownScope[]> = {
  'operator.admin': ['operator.admin', 'operator.write', 'operator.read', 'operator.pairing'],
  'operator.write': ['operator.write', 'operator.read'],
  'operator.read': ['operator.read'],
  'operator.pairing': ['operator.pairing'],
};

function isKnownScope(scope: string): scope is KnownScope {
  return (KNOWN_SCOPES as readonly string[]).includes(scope);
}

/** True when `granted` lets a caller use a method that needs `required`. */
export function hasScope(granted: readonly string[], required: KnownScope): boolean {
  return granted.some((scope) => isKnownScope(scope) && IMPLIED[scope].includes(required));
}

/**
 * True when every scope in `requested` is already covered by `approved`: a known scope
 * through the implication rules, an unknown one only by being listed itself.
 */
export function scopesCover(approved: readonly string[], requested: readonly string[]): boolean {
  return requested.every((scope) =>
    isKnownScope(scope) ? hasScope(approved, scope) : approved.includes(scope),
  );
}

/**
 * The first known scope in `granted` that `caller` does not hold, after implication (a
 * caller with `operator.write` may grant `operator.read`; `operator.admin` may grant
 * anything), or undefined when `caller` may grant them all. Unknown scopes grant nothing,
 * so granting one needs nothing held (PROTOCOL.md "Scopes": no one grants what they do
 * not hold).
 */
export function firstUngrantableScope(
  caller: readonly string[],
  granted: readonly string[],
): KnownScope | undefined {
  return granted.find(
    (scope): scope is KnownScope => isKnownScope(scope) && !hasScope(caller, scope),
  );
}
