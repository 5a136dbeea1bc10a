/** "This browser": the theme and pairing notifications, kept in this browser's storage. */
import type { ReactElement } from 'react';
import { useId } from 'react';
import { NotificationSetting } from './notification-setting.js';
import { ThemeChoice } from './theme-choice.js';
import { Card } from './ui.js';

export function BrowserSettings(): ReactElement {
  const themeId = useId();
  return (
    <Card title="This browser">
      <p className="muted small">These settings apply to this browser only.</p>
      <div className="settings-list">
        <div className="field">
          <span className="field-label" id={themeId}>
            Theme
          </span>
          <ThemeChoice labelledBy={themeId} />
        </div>
        <NotificationSetting />
      </div>
    </Card>
  );
}
