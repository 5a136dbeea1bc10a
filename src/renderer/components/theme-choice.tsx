/** System / Light / Dark: the theme of this browser's Control UI (lib/theme.ts). */
import type { ReactElement } from 'react';
import { useThemeMode } from '../hooks/browser-services.js';
import type { ThemeMode } from '../lib/theme.js';
import { THEME_MODES } from '../lib/theme.js';

const LABELS: Record<ThemeMode, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function ThemeChoice({ labelledBy }: { labelledBy: string }): ReactElement {
  const [mode, setMode] = useThemeMode();
  return (
    <div className="segmented" role="radiogroup" aria-labelledby={labelledBy}>
      {THEME_MODES.map((option) => (
        <label key={option} className={mode === option ? 'active' : undefined}>
          <input
            type="radio"
            name="theme"
            value={option}
            checked={mode === option}
            onChange={() => setMode(option)}
          />
          {LABELS[option]}
        </label>
      ))}
    </div>
  );
}
