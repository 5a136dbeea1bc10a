/**
 * A menu button (WAI-ARIA "menu button" pattern): one button that opens a short list of
 * actions, so a table row needs one control instead of three. Keyboard: Enter, Space or
 * ArrowDown open it on the first item, ArrowUp on the last; ArrowUp/ArrowDown/Home/End
 * move; Escape closes and returns to the button; Tab or a click elsewhere closes it.
 */
import type { KeyboardEvent, ReactElement } from 'react';
import { useEffect, useId, useRef, useState } from 'react';
import { Icon } from './icons.js';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

export function MenuButton(props: {
  /** Visible text of the button. */
  label: string;
  /** Its accessible name when the visible text alone is ambiguous ("Actions for Pixel 9"). */
  ariaLabel?: string;
  items: readonly MenuItem[];
}): ReactElement {
  const [open, setOpen] = useState(false);
  const [focusIndex, setFocusIndex] = useState(0);
  const buttonId = useId();
  const menuId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const count = props.items.length;

  useEffect(() => {
    if (open) itemRefs.current[focusIndex]?.focus();
  }, [open, focusIndex]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const openAt = (index: number) => {
    setFocusIndex((index + count) % count);
    setOpen(true);
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  const onButtonKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') openAt(0);
    else if (event.key === 'ArrowUp') openAt(count - 1);
    else return;
    event.preventDefault();
  };

  const onMenuKey = (event: KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowDown: focusIndex + 1,
      ArrowUp: focusIndex - 1,
      Home: 0,
      End: count - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      setFocusIndex((target + count) % count);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
    } else if (event.key === 'Tab') {
      close(false);
    }
  };

  const select = (item: MenuItem) => {
    // Focus goes back to the button first, so a dialog the item opens returns there.
    close(true);
    item.onSelect();
  };

  return (
    <div className="menu" ref={rootRef}>
      <button
        ref={buttonRef}
        id={buttonId}
        type="button"
        className="btn btn-ghost btn-small"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={props.ariaLabel}
        onClick={() => (open ? close(false) : openAt(0))}
        onKeyDown={onButtonKey}
      >
        {props.label} <Icon name="chevron" size={14} />
      </button>
      <ul
        id={menuId}
        role="menu"
        aria-labelledby={buttonId}
        className="menu-list"
        hidden={!open}
        onKeyDown={onMenuKey}
      >
        {props.items.map((item, index) => (
          <li key={item.label} role="none">
            <button
              ref={(element) => {
                itemRefs.current[index] = element;
              }}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={`menu-item${item.danger ? ' menu-item-danger' : ''}`}
              onClick={() => select(item)}
            >
              {item.label}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
