/** System / Light / Dark: the theme of this browser's Control UI (lib/theme.ts). */
import type { ReactElement } from 'react';
import { useThemeMode } from '../hooks/browser-services.js';
import type { ThemeMode } from '../lib/theme.js';
import { THEME_MODES } from '../lib/theme.js';
import { SegmentedChoice } from './segmented-choice.js';

const LABELS: Record<ThemeMode, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function ThemeChoice({ labelledBy }: { labelledBy: string }): ReactElement {
  const [mode, setMode] = useThemeMode();
  return (
    <SegmentedChoice
      name="theme"
      options={THEME_MODES}
      labels={LABELS}
      value={mode}
      onChange={setMode}
      labelledBy={labelledBy}
    />
  );
}
