/**
 * Serves the built Control UI (dist/renderer) from memory. Every file is read once at
 * start into a manifest keyed by its URL path; a request is answered only by looking its
 * path up in that map, so no file-system path is ever built from a URL and traversal
 * has nothing to reach.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';

/** One file of the built UI, ready to send. */
export interface ControlUiAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Strong ETag (quoted) derived from the content. */
  readonly etag: string;
  /** True for content-hashed files under `assets/`, cached for a year. */
  readonly immutable: boolean;
}

/** Limits on what `load` reads into memory. */
export interface ControlUiLoadOptions {
  /** Files beyond this count are not served (a wrong `dir` must not slurp a disk). */
  maxFiles: number;
  /** Larger files are skipped. */
  maxFileBytes: number;
}

/** Defaults for {@link ControlUiLoadOptions}, in one place. */
export const CONTROL_UI_LOAD_DEFAULTS: ControlUiLoadOptions = {
  maxFiles: 2000,
  maxFileBytes: 16 * 1024 * 1024,
};

/** What `handle` needs to know about the gateway it serves for. */
export interface ControlUiRequestContext {
  /** The gateway's own WebSocket origin, e.g. `ws://127.0.0.1:18789`, added to `connect-src`. */
  wsOrigin: string;
}

const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
const REVALIDATE_CACHE = 'no-cache';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>special-agent</title></head>
<body><h1>Control UI not built</h1>
<p>The gateway is running, but the Control UI files are missing. Run <code>npm run build</code>, then restart the gateway.</p>
</body></html>
`;

/** The Content-Security-Policy for every response; `wsOrigin` is added only when well formed. */
export function contentSecurityPolicy(wsOrigin: string): string {
  // A malformed origin could smuggle extra directives into the header; drop it instead.
  const connect = /^wss?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(wsOrigin) ? `'self' ${wsOrigin}` : `'self'`;
  return [
    `default-src 'self'`,
    `connect-src ${connect}`,
    `script-src 'self'`,
    `style-src 'self'`,
    `img-src 'self' data:`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

/** The in-memory Control UI. Build with {@link ControlUiAssets.load}. */
export class ControlUiAssets {
  readonly #manifest: ReadonlyMap<string, ControlUiAsset>;
  readonly #index: ControlUiAsset | undefined;

  private constructor(manifest: ReadonlyMap<string, ControlUiAsset>) {
    this.#manifest = manifest;
    this.#index = manifest.get('/index.html');
  }

  /**
   * Reads every regular file under `dir` (symlinks are not followed). A missing `dir` or
   * one without `index.html` yields an instance that answers 503 "run npm run build".
   */
  static async load(
    dir: string,
    options: Partial<ControlUiLoadOptions> = {},
  ): Promise<ControlUiAssets> {
    const limits = { ...CONTROL_UI_LOAD_DEFAULTS, ...options };
    const manifest = new Map<string, ControlUiAsset>();
    await collect(dir, '', manifest, limits);
    return new ControlUiAssets(manifest);
  }

  /** False when the UI was not built; every request then gets the 503 page. */
  get available(): boolean {
    return this.#index !== undefined;
  }

  /** URL paths in the manifest, for diagnostics and tests. */
  get paths(): string[] {
    return [...this.#manifest.keys()].sort();
  }

  /**
   * Answers a GET or HEAD and returns true; returns false (writing nothing) for any other
   * method so the gateway can route it elsewhere.
   */
  handle(req: IncomingMessage, res: ServerResponse, context: ControlUiRequestContext): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    setSecurityHeaders(res, context.wsOrigin);
    if (!this.#index) {
      sendText(req, res, 503, 'text/html; charset=utf-8', NOT_BUILT_PAGE);
      return true;
    }
    const asset = this.#resolve(requestPath(req.url ?? '/'));
    if (!asset) {
      sendText(req, res, 404, 'text/plain; charset=utf-8', 'Not found\n');
      return true;
    }
    sendAsset(req, res, asset);
    return true;
  }

  #resolve(path: string | undefined): ControlUiAsset | undefined {
    if (path === undefined) return undefined;
    if (path === '/') return this.#index;
    const exact = this.#manifest.get(path);
    if (exact) return exact;
    // A missing hashed asset must fail loudly, not turn into HTML the browser tries to run.
    if (path.startsWith('/assets/')) return undefined;
    const last = path.slice(path.lastIndexOf('/') + 1);
    if (last.includes('.')) return undefined;
    return this.#index;
  }
}

/**
 * The path part of a raw request target, or undefined when it can only be a probe: not
 * origin-form, dot segments, empty segments, backslashes, percent-escapes or control
 * characters. Built file names contain none of these, so refusing them loses nothing.
 */
function requestPath(target: string): string | undefined {
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  if (!path.startsWith('/')) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\\%\u0000-\u001f\u007f]/.test(path)) return undefined;
  const segments = path.slice(1).split('/');
  const inner = segments.slice(0, -1);
  if (inner.some((segment) => segment === '' || segment === '.' || segment === '..'))
    return undefined;
  const last = segments[segments.length - 1];
  if (last === '.' || last === '..') return undefined;
  return path;
}

function setSecurityHeaders(res: ServerResponse, wsOrigin: string): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(wsOrigin));
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: ControlUiAsset): void {
  res.setHeader('Cache-Control', asset.immutable ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
  res.setHeader('ETag', asset.etag);
  if (etagMatches(req.headers['if-none-match'], asset.etag)) {
    res.writeHead(304);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': asset.contentType, 'Content-Length': asset.body.length });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
): void {
  const body = Buffer.from(text, 'utf8');
  res.setHeader('Cache-Control', 'no-store');
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*');
}

async function collect(
  dir: string,
  prefix: string,
  manifest: Map<string, ControlUiAsset>,
  limits: ControlUiLoadOptions,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // A missing build is an expected state (503 page); anything else is a real fault.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (manifest.size >= limits.maxFiles) return;
    if (entry.name.startsWith('.')) continue;
    const relative = `${prefix}/${entry.name}`;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      await collect(full, relative, manifest, limits);
    } else if (entry.isFile()) {
      const body = await readFile(full);
      if (body.length > limits.maxFileBytes) continue;
      manifest.set(relative, {
        body,
        contentType: CONTENT_TYPES[extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        immutable: relative.startsWith('/assets/'),
      });
    }
  }
}
