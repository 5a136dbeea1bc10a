/**
 * Maps a tray item's plain action to the service call it stands for. Pure: the Electron
 * layer passes the real deps, tests pass a recorder.
 */
import type { TrayAction } from './tray-model.js';

/** Everything a tray click can reach. */
export interface TrayActionDeps {
  approve(requestId: string): Promise<unknown>;
  reject(requestId: string): Promise<unknown>;
  openControlUi(route?: string): Promise<void>;
  copyDashboardUrl(): Promise<void>;
  restartGateway(): Promise<void>;
  setStartAtLogin(enabled: boolean): void;
  changePort(): Promise<void>;
  quit(): Promise<void>;
  /** A one-line, user-facing explanation when an action failed. */
  report(message: string): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Run one tray action; a failure is reported in one line instead of escaping the click. */
export async function dispatchTrayAction(action: TrayAction, deps: TrayActionDeps): Promise<void> {
  try {
    switch (action.type) {
      case 'approve':
        await deps.approve(action.requestId);
        return;
      case 'reject':
        await deps.reject(action.requestId);
        return;
      case 'open-control-ui':
        await deps.openControlUi(action.route);
        return;
      case 'copy-dashboard-url':
        await deps.copyDashboardUrl();
        return;
      case 'restart-gateway':
        await deps.restartGateway();
        return;
      case 'set-start-at-login':
        deps.setStartAtLogin(action.enabled);
        return;
      case 'change-port':
        await deps.changePort();
        return;
      case 'quit':
        await deps.quit();
        return;
    }
  } catch (error) {
    deps.report(`Could not ${verb(action)}: ${describe(error)}`);
  }
}

function verb(action: TrayAction): string {
  switch (action.type) {
    case 'approve':
      return 'approve the device';
    case 'reject':
      return 'reject the device';
    case 'open-control-ui':
      return 'open the Control UI';
    case 'copy-dashboard-url':
      return 'copy the dashboard URL';
    case 'restart-gateway':
      return 'restart the gateway';
    case 'set-start-at-login':
      return 'change Start at login';
    case 'change-port':
      return 'change the port';
    case 'quit':
      return 'quit cleanly';
  }
}
