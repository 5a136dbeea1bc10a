/**
 * The theme: System follows `prefers-color-scheme`; Light or Dark overrides it, sticks
 * across a reload and is in place before React's first render (main.tsx sets it first).
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/gateway.js';
import { expectNoSidewaysScroll, signIn } from './fixtures/ui.js';

const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/** theme.css `--bg` of each theme. */
const BACKGROUND = { light: 'rgb(244, 245, 247)', dark: 'rgb(15, 17, 21)' } as const;

interface FirstRender {
  theme: string | undefined;
  background: string;
}

/** Records the theme at the moment React first puts anything into #root, in every document. */
async function watchFirstRender(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      const root = document.getElementById('root');
      if (!root || root.childElementCount === 0) return;
      observer.disconnect();
      (window as unknown as { __firstRender: FirstRender }).__firstRender = {
        theme: document.documentElement.dataset.theme,
        background: getComputedStyle(document.body).backgroundColor,
      };
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}

function firstRender(page: Page): Promise<FirstRender | undefined> {
  return page.evaluate(() => (window as unknown as { __firstRender?: FirstRender }).__firstRender);
}

function backgroundOf(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

for (const colorScheme of ['light', 'dark'] as const) {
  const other = colorScheme === 'light' ? 'dark' : 'light';
  for (const viewport of WIDTHS) {
    test(`at ${viewport.width} px with the OS in ${colorScheme}, choosing ${other} overrides it and sticks across a reload`, async ({
      page,
      gateway,
    }) => {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme });
      await watchFirstRender(page);
      await signIn(page, gateway, '/gateway');
      const theme = page.getByRole('radiogroup', { name: 'Theme' });
      await expect(theme.getByRole('radio', { name: 'System' })).toBeChecked();
      expect(await backgroundOf(page)).toBe(BACKGROUND[colorScheme]);

      await theme.getByRole('radio', { name: other === 'dark' ? 'Dark' : 'Light' }).check();
      await expect(page.locator('html')).toHaveAttribute('data-theme', other);
      expect(await backgroundOf(page)).toBe(BACKGROUND[other]);
      await expectNoSidewaysScroll(page, `gateway ${viewport.width} ${other} over ${colorScheme}`);

      // What React's first render found in place: no frame in the OS theme first.
      await page.reload();
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
      expect(await firstRender(page)).toEqual({ theme: other, background: BACKGROUND[other] });
      await expect(
        theme.getByRole('radio', { name: other === 'dark' ? 'Dark' : 'Light' }),
      ).toBeChecked();
      expect(await backgroundOf(page)).toBe(BACKGROUND[other]);

      // Back to System: the OS setting applies again, and follows it when it changes.
      await theme.getByRole('radio', { name: 'System' }).check();
      expect(await backgroundOf(page)).toBe(BACKGROUND[colorScheme]);
      await page.emulateMedia({ colorScheme: other });
      await expect(page.locator('html')).toHaveAttribute('data-theme', other);
    });
  }
}
