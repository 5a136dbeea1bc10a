/**
 * The native tray icon and menu. Rebuilds the menu only when the pure model's key changes,
 * so a minute tick with nothing new costs nothing and an open menu is not yanked away.
 */
import { Menu, Tray, nativeImage } from 'electron';
import { toMenuTemplate } from './menu-template.js';
import { trayIconPath } from './tray-icons.js';
import {
  buildTrayModel,
  trayModelKey,
  type TrayAction,
  type TrayModelOptions,
  type TrayState,
} from './tray-model.js';

export interface TrayControllerDeps {
  assetsDir: string;
  platform: NodeJS.Platform;
  options: TrayModelOptions;
  onAction: (action: TrayAction) => void;
}

export class TrayController {
  readonly #deps: TrayControllerDeps;
  #tray: Tray | undefined;
  #key: string | undefined;
  #iconFile: string | undefined;

  constructor(deps: TrayControllerDeps) {
    this.#deps = deps;
  }

  /** Show `state`; cheap when nothing visible changed. */
  render(state: TrayState): void {
    const model = buildTrayModel(state, this.#deps.options);
    const key = trayModelKey(model);
    if (key === this.#key && this.#tray) return;
    this.#key = key;
    const iconFile = trayIconPath(this.#deps.assetsDir, model.icon, this.#deps.platform);
    const image = nativeImage.createFromPath(iconFile);
    if (iconFile.endsWith('Template.png')) image.setTemplateImage(true);
    if (!this.#tray || this.#tray.isDestroyed()) {
      this.#tray = new Tray(image);
    } else if (iconFile !== this.#iconFile) {
      this.#tray.setImage(image);
    }
    this.#iconFile = iconFile;
    this.#tray.setToolTip(model.tooltip);
    this.#tray.setContextMenu(
      Menu.buildFromTemplate(toMenuTemplate(model.items, this.#deps.onAction)),
    );
  }

  destroy(): void {
    this.#tray?.destroy();
    this.#tray = undefined;
    this.#key = undefined;
  }
}
