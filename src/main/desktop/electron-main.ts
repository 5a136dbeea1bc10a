/**
 * The Electron entry (package.json "main" → dist/main/desktop/electron-main.js): the
 * desktop composition root. One instance per user; a second launch focuses the first.
 */
import { app } from 'electron';
import { join } from 'node:path';
import { startGatewayApp } from '../app.js';
import { systemClock } from '../util/clock.js';
import { resolvePaths } from '../config/paths.js';
import { logLevelFromEnv, openGatewayLog } from '../util/gateway-log.js';
import { desktopOptions } from './desktop-options.js';
import { DesktopShell } from './desktop-shell.js';
import { StartAtLogin } from './start-at-login.js';

function main(): void {
  // A desktop session gives the main process no terminal: the file is where lines are read.
  const { logger } = openGatewayLog({
    home: resolvePaths(process.env).home,
    level: logLevelFromEnv(process.env),
  });
  if (!app.requestSingleInstanceLock()) {
    // The first instance gets 'second-instance' and shows its window.
    app.quit();
    return;
  }
  // Tray-only on macOS: no Dock icon (the packaged app also sets LSUIElement).
  app.dock?.hide();
  // Keep running in the tray when the last window closes.
  app.on('window-all-closed', () => undefined);

  let shell: DesktopShell | undefined;
  let stopped = false;
  app.on('second-instance', () => shell?.secondInstance());
  app.on('before-quit', (event) => {
    if (stopped || !shell) return;
    event.preventDefault();
    const closing = shell;
    shell = undefined;
    closing
      .shutdown()
      .catch((error: unknown) => logger.error(`shutdown: ${String(error)}`))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(() => {
      shell = new DesktopShell({
        startGateway: startGatewayApp,
        env: process.env,
        clock: systemClock,
        logger,
        fetch: (url, init) => fetch(url, init),
        // app.getAppPath() is the app folder or app.asar; assets/ is packed beside dist/.
        assetsDir: join(app.getAppPath(), 'assets'),
        platform: process.platform,
        options: desktopOptions(),
        startAtLogin: new StartAtLogin({
          app,
          platform: process.platform,
          env: process.env,
          execPath: process.execPath,
          // Unpackaged (npm start), Electron needs the app folder to know what to run.
          args: app.isPackaged ? [] : [app.getAppPath()],
        }),
      });
      return shell.start();
    })
    .catch((error: unknown) => {
      logger.error(`desktop start failed: ${String(error)}`);
      app.exit(1);
    });
}

main();
