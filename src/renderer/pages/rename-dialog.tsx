/**
 * "Rename…" of a paired device: a small modal with one field (components/text-prompt-dialog).
 * It stays open with the gateway's message when the name is refused.
 */
import type { ReactElement } from 'react';
import type { PairedDevice } from '../../shared/protocol.js';
import { MAX_LABEL_LENGTH } from '../../shared/invites.js';
import { TextPromptDialog } from '../components/text-prompt-dialog.js';
import { useConnection } from '../hooks/connection-context.js';

export function RenameDialog({
  device,
  onClose,
  onRenamed,
}: {
  /** The device to rename; undefined keeps the dialog closed. */
  device: PairedDevice | undefined;
  onClose: () => void;
  onRenamed: () => void;
}): ReactElement {
  const connection = useConnection();
  const prompt = device && {
    key: device.deviceId,
    title: `Rename “${device.displayName ?? device.clientId}”`,
    label: 'Name',
    hint: 'How this device appears in the device list.',
    initial: device.displayName ?? '',
    placeholder: device.clientId,
    maxLength: MAX_LABEL_LENGTH,
    emptyError: 'Enter a name',
    submitLabel: 'Rename',
    save: (displayName: string) =>
      connection
        .request('device.rename', { deviceId: device.deviceId, displayName })
        .then(() => onRenamed()),
  };
  return <TextPromptDialog prompt={prompt} onClose={onClose} />;
}
