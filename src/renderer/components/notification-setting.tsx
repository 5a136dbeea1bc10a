/**
 * The pairing-notification switch of "This browser", and the Devices page's "Enable
 * notifications" button. Either asks the browser for permission only when clicked.
 */
import type { ReactElement } from 'react';
import { useId } from 'react';
import { useAnnounce, useNotifierState } from '../hooks/browser-services.js';
import type { PermissionState } from '../lib/pairing-notifier.js';
import { Icon } from './icons.js';

const HINTS: Record<PermissionState, string> = {
  granted: 'Shown while you look at another page or window. Clicking one opens the request.',
  default: 'Turning this on asks the browser for permission.',
  denied:
    'The browser blocks notifications from this page: allow them in its site settings, then reload.',
  unsupported: 'This browser cannot show notifications from a web page.',
};

export function NotificationSetting(): ReactElement {
  const { notifier, state, desktopApp } = useNotifierState();
  const hintId = useId();
  if (desktopApp) {
    return (
      <p className="muted small">
        The desktop app notifies you of new pairing requests itself, from the tray.
      </p>
    );
  }
  const blocked = state.permission === 'denied' || state.permission === 'unsupported';
  return (
    <div className="check-field">
      <label>
        <input
          type="checkbox"
          checked={state.enabled && state.permission === 'granted'}
          disabled={blocked}
          aria-describedby={hintId}
          onChange={(event) => {
            if (event.target.checked) void notifier.enable();
            else notifier.setEnabled(false);
          }}
        />
        Notify me of new pairing requests
      </label>
      <p className="field-hint" id={hintId}>
        {HINTS[state.permission]}
      </p>
    </div>
  );
}

/** Shown only while a click would turn notifications on. */
export function EnableNotificationsButton(): ReactElement | null {
  const { notifier, state } = useNotifierState();
  const announce = useAnnounce();
  const offerable =
    state.permission === 'default' || (state.permission === 'granted' && !state.enabled);
  if (!offerable) return null;
  // The button goes once it worked, and focus with it: say what happened.
  const enable = async () => {
    await notifier.enable();
    announce(
      notifier.active
        ? 'Notifications on for new pairing requests'
        : 'Notifications stay off: the browser did not allow them',
    );
  };
  return (
    <button type="button" className="btn btn-secondary" onClick={() => void enable()}>
      <Icon name="bell" /> Enable notifications
    </button>
  );
}
