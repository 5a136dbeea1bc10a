/**
 * Client-side checks that give field-level errors before anything is sent. The gateway
 * validates again; these exist so a person sees what is wrong next to the field.
 */
import { PROVIDER_ID_PATTERN, providerSchema } from '../../shared/config-schema.js';

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/;

/** Four decimal parts, each 0–255, no leading zeros (`127.1` and `0x7f.0.0.1` are refused). */
export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => IPV4_PART.test(part) && Number(part) <= 255);
}

/** RFC 4291 text form, including `::` compression and a dotted IPv4 tail; no zone id. */
export function isIPv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  let body = text;
  // A dotted tail is two groups: stand in one placeholder group and count one extra.
  let extraGroups = 0;
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    if (lastColon === -1 || !isIPv4(text.slice(lastColon + 1))) return false;
    body = `${text.slice(0, lastColon + 1)}0`;
    extraGroups = 1;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groupCount = (half: string): number | undefined => {
    if (half === '') return 0;
    const parts = half.split(':');
    return parts.every((part) => /^[0-9A-Fa-f]{1,4}$/.test(part)) ? parts.length : undefined;
  };
  const counts = halves.map(groupCount);
  if (counts.some((n) => n === undefined)) return false;
  const total = counts.reduce<number>((sum, n) => sum + (n ?? 0), 0) + extraGroups;
  // Without `::` all eight groups are written; with it, at least one is left out.
  return halves.length === 1 ? total === 8 : total <= 7;
}

/** `undefined` when `text` is an IPv4/IPv6 address or CIDR block, else why not. */
export function proxyEntryError(text: string): string | undefined {
  const value = text.trim();
  if (value === '') return 'Enter an IP address or CIDR block';
  if (value !== text) return 'Remove the spaces around the address';
  const [address = '', prefix, extra] = value.split('/');
  if (extra !== undefined) return 'A CIDR block has one "/"';
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) return `"${address}" is not an IPv4 or IPv6 address`;
  if (prefix === undefined) return undefined;
  const max = v4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]*)$/.test(prefix) || Number(prefix) > max) {
    return `The prefix length must be a whole number from 0 to ${max}`;
  }
  return undefined;
}

/** `undefined` for an exact origin `scheme://host[:port]` (http or https), else why not. */
export function originError(text: string): string | undefined {
  const value = text.trim();
  if (value === '') return 'Enter an origin such as https://example.com';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Write an origin as scheme://host[:port], e.g. https://example.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'Only http and https origins can open the Control UI';
  if (url.origin !== value)
    return `Write it exactly as ${url.origin} (no path, no trailing slash, lowercase host)`;
  return undefined;
}

/** Errors per entry (by index); empty when every entry is valid. */
export function listErrors(
  entries: readonly string[],
  check: (entry: string) => string | undefined,
): Map<number, string> {
  const errors = new Map<number, string>();
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const error = check(entry) ?? (seen.has(entry) ? 'Listed twice' : undefined);
    seen.add(entry);
    if (error) errors.set(index, error);
  });
  return errors;
}

/** `undefined` for a TCP port 1–65535 (0 picks a free port at each start), else why not. */
export function portError(text: string): string | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(text.trim())) return 'Enter a whole number';
  const port = Number(text.trim());
  return port > 65_535 ? 'A port is at most 65535' : undefined;
}

/** `undefined` for `loopback`, `lan`, `tailnet` or an IP address, else why not. */
export function bindError(text: string): string | undefined {
  const value = text.trim();
  if (['loopback', 'lan', 'tailnet'].includes(value) || isIPv4(value) || isIPv6(value))
    return undefined;
  return 'Use loopback, lan, tailnet or one IP address of this machine';
}

/** The provider form as typed. */
export interface ProviderDraft {
  id: string;
  type: string;
  baseUrl: string;
  /** Model names, one per line or comma-separated. */
  models: string;
}

/** What `models.providers.upsert` takes. */
export interface ProviderInput {
  id: string;
  type: 'openai' | 'anthropic';
  baseUrl: string;
  models?: string[];
}

export type ProviderFieldErrors = Partial<Record<keyof ProviderDraft, string>>;

/** Checks the provider form; returns the upsert params or the error of each bad field. */
export function validateProvider(draft: ProviderDraft): {
  value?: ProviderInput;
  errors: ProviderFieldErrors;
} {
  const errors: ProviderFieldErrors = {};
  const id = draft.id.trim();
  if (id === '') errors.id = 'Give the provider an id, e.g. openai';
  else if (!PROVIDER_ID_PATTERN.test(id) || id.length > 64) {
    errors.id = 'Use lowercase letters, digits, "-" and "_", starting with a letter or digit';
  }
  if (draft.type !== 'openai' && draft.type !== 'anthropic') errors.type = 'Choose a provider type';
  const baseUrl = draft.baseUrl.trim();
  if (baseUrl === '') errors.baseUrl = 'Enter the API base URL, e.g. https://api.openai.com/v1';
  else if (!/^https?:\/\/[^/\s]+/i.test(baseUrl))
    errors.baseUrl = 'The base URL must start with http:// or https://';
  const models = draft.models
    .split(/[\n,]/)
    .map((model) => model.trim())
    .filter(Boolean);
  const candidate = { type: draft.type, baseUrl, ...(models.length > 0 ? { models } : {}) };
  const parsed = providerSchema.safeParse(candidate);
  if (!parsed.success) {
    // The shared schema is the final word; map anything the friendlier checks missed.
    for (const issue of parsed.error.issues) {
      const field =
        issue.path[0] === 'models' ? 'models' : issue.path[0] === 'type' ? 'type' : 'baseUrl';
      errors[field] ??=
        issue.path[0] === 'baseUrl' ? 'This is not a valid http(s) URL' : issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { errors };
  const value: ProviderInput = { id, type: parsed.data.type, baseUrl: parsed.data.baseUrl };
  if (models.length > 0) value.models = models;
  return { value, errors };
}
