/**
 * The one Control UI window: created on demand from the pure options, locked to the
 * gateway origin, hidden (not destroyed) on close so the app lives on in the tray.
 */
import { BrowserWindow, shell } from 'electron';
import type { DesktopLogger } from './gateway-handle.js';
import { decideNavigation, decidePermission, originOf } from './navigation-policy.js';
import { decideWindowCertificate } from './window-certificate.js';
import { controlUiWindowOptions, type ControlUiWindowInput } from './window-options.js';

export class ControlWindow {
  readonly #input: ControlUiWindowInput;
  readonly #logger: DesktopLogger;
  /** The running gateway's `status.tls.fingerprintSha256`, read at each certificate check. */
  readonly #gatewayFingerprint: () => string | undefined;
  #window: BrowserWindow | undefined;
  #origin: string | undefined;
  #quitting = false;

  constructor(
    input: ControlUiWindowInput,
    logger: DesktopLogger,
    gatewayFingerprint: () => string | undefined,
  ) {
    this.#input = input;
    this.#logger = logger;
    this.#gatewayFingerprint = gatewayFingerprint;
  }

  /** Load `url` (which fixes the allowed origin) and bring the window to the front. */
  async open(url: string): Promise<void> {
    const window = this.#ensureWindow();
    this.#origin = originOf(url);
    await window.loadURL(url);
    this.#reveal(window);
  }

  /** Show the window as it is; false when there is none yet (the caller loads a URL). */
  focus(): boolean {
    const window = this.#window;
    if (!window || window.isDestroyed() || this.#origin === undefined) return false;
    this.#reveal(window);
    return true;
  }

  /** The origin currently loaded, so a gateway restart on another port can reload. */
  get origin(): string | undefined {
    return this.#origin;
  }

  get isVisible(): boolean {
    return this.#window !== undefined && !this.#window.isDestroyed() && this.#window.isVisible();
  }

  /** From now on closing the window really closes it (the app is quitting). */
  allowClose(): void {
    this.#quitting = true;
  }

  #reveal(window: BrowserWindow): void {
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  #ensureWindow(): BrowserWindow {
    if (this.#window && !this.#window.isDestroyed()) return this.#window;
    const window = new BrowserWindow(controlUiWindowOptions(this.#input));
    this.#guard(window);
    window.on('close', (event) => {
      if (this.#quitting) return;
      // Closing the window is not quitting: the gateway keeps serving devices from the tray.
      event.preventDefault();
      window.hide();
    });
    window.on('closed', () => {
      this.#window = undefined;
      this.#origin = undefined;
    });
    this.#window = window;
    return window;
  }

  #guard(window: BrowserWindow): void {
    const contents = window.webContents;
    const onNavigate = (event: { url: string; preventDefault(): void }): void => {
      const decision = this.#decide(event.url);
      if (decision === 'allow') return;
      event.preventDefault();
      this.#leave(event.url, decision);
    };
    contents.on('will-navigate', onNavigate);
    contents.on('will-redirect', onNavigate);
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const decision = this.#decide(url);
      // A same-origin window.open stays in this window: one window, one set of guards.
      if (decision === 'allow') void window.loadURL(url);
      else this.#leave(url, decision);
      return { action: 'deny' };
    });
    const session = contents.session;
    session.setPermissionRequestHandler((_contents, permission, callback, details) => {
      callback(decidePermission(permission, details.requestingUrl, this.#origin));
    });
    session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
      decidePermission(permission, requestingOrigin, this.#origin),
    );
    // With gateway.tls the window trusts the gateway's own certificate, and only that one.
    session.setCertificateVerifyProc((request, callback) => {
      const hostname = this.#origin === undefined ? undefined : new URL(this.#origin).hostname;
      callback(
        decideWindowCertificate(
          { hostname: request.hostname, certificatePem: request.certificate.data },
          { hostname, fingerprintSha256: this.#gatewayFingerprint() },
        ),
      );
    });
  }

  #decide(url: string): 'allow' | 'open-external' | 'deny' {
    return this.#origin === undefined ? 'deny' : decideNavigation(this.#origin, url);
  }

  #leave(url: string, decision: 'open-external' | 'deny'): void {
    if (decision === 'deny') {
      // The scheme is enough to diagnose; the full URL could carry a token.
      const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? 'an invalid';
      this.#logger.warn(`Control UI window: blocked navigation to ${scheme} URL`);
      return;
    }
    shell.openExternal(url).catch((error: unknown) => {
      this.#logger.warn(`Control UI window: could not open link externally: ${String(error)}`);
    });
  }
}
