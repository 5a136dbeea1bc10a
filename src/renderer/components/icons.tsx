/** Inline SVG icons (stroke style, 24-unit grid), so no image requests and no icon font. */
import type { ReactElement } from 'react';

const PATHS = {
  chat: 'M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12Z',
  devices: 'M4 5h16v10H4zM2 19h20M9 15v4M15 15v4',
  providers: 'M15 7a4 4 0 1 1-3.5 5.9L4 20.5V17h3v-3h3l1.1-1.1A4 4 0 0 1 15 7Zm1 2.5h.01',
  agents:
    'M12 3v3M7 7h10a3 3 0 0 1 3 3v6a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3v-6a3 3 0 0 1 3-3Zm2 5v1m6-1v1M9 16h6',
  gateway: 'M12 3 4 6v6c0 4.5 3.4 8.3 8 9 4.6-.7 8-4.5 8-9V6l-8-3Zm-3 9 2 2 4-4',
  check: 'M5 12.5 10 17l9-10',
  close: 'M6 6l12 12M18 6 6 18',
  chevron: 'M6 9l6 6 6-6',
  plus: 'M12 5v14M5 12h14',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 5v6h-6',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  alert:
    'M12 9v4m0 4h.01M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z',
  info: 'M12 8h.01M11 12h1v5h1M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Z',
  send: 'M4 12 20 4l-6 16-3-7-7-1Z',
  stop: 'M7 7h10v10H7z',
  key: 'M15 7a4 4 0 1 1-3.5 5.9L4 20.5V17h3v-3h3l1.1-1.1A4 4 0 0 1 15 7Z',
  edit: 'M4 20h4L19 9l-4-4L4 16v4ZM13.5 6.5l4 4',
  plug: 'M9 3v5m6-5v5M6 8h12v3a6 6 0 0 1-12 0V8Zm6 9v4',
  logout: 'M15 12H4m0 0 4-4m-4 4 4 4M14 4h5a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-5',
  bell: 'M6 16V11a6 6 0 1 1 12 0v5l2 2H4l2-2Zm4 4h4',
} as const;

export type IconName = keyof typeof PATHS;

/** A decorative icon; the control around it carries the label. */
export function Icon({ name, size = 18 }: { name: IconName; size?: number }): ReactElement {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}

/** The app mark: a rounded square with a spark. */
export function Logo(): ReactElement {
  return (
    <svg
      className="logo"
      width="28"
      height="28"
      viewBox="0 0 28 28"
      aria-hidden="true"
      focusable="false"
    >
      <rect width="28" height="28" rx="8" className="logo-bg" />
      <path
        d="M14 6.5 15.9 12.1 21.5 14 15.9 15.9 14 21.5 12.1 15.9 6.5 14 12.1 12.1Z"
        className="logo-spark"
      />
    </svg>
  );
}
