/**
 * Turns the pure tray model into Electron menu templates. Only types come from electron,
 * so this mapping runs (and is tested) under plain Node.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuItemModel, TrayAction } from './tray-model.js';

/** One template entry per model item; clicks hand the item's action to `onAction`. */
export function toMenuTemplate(
  items: readonly MenuItemModel[],
  onAction: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { id: item.id, type: 'separator' };
    const action = item.action;
    return {
      id: item.id,
      type: item.type,
      label: item.label,
      enabled: item.enabled,
      ...(item.type === 'checkbox' ? { checked: item.checked ?? false } : {}),
      ...(item.submenu ? { submenu: toMenuTemplate(item.submenu, onAction) } : {}),
      ...(action ? { click: () => onAction(action) } : {}),
    };
  });
}
