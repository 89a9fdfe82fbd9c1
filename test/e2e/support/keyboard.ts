import type { Page } from 'playwright-core';

export interface Focused {
  tag: string;
  id: string;
  text: string;
  name: string;
  value: string;
}

/** What has the keyboard focus now (`document.activeElement`). */
export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const element = document.activeElement;
    return {
      tag: element?.tagName.toLowerCase() ?? '',
      id: element?.id ?? '',
      text: (element?.textContent ?? '').trim().replace(/\s+/g, ' '),
      name: element?.getAttribute('name') ?? '',
      value: element?.getAttribute('value') ?? '',
    };
  });
}

/**
 * Presses Tab (Shift+Tab backwards) until the focused element is the one wanted, as a keyboard user does; fails when
 * it never gets focus (it is not reachable with the keyboard) within `limit` presses.
 */
export async function tabTo(
  page: Page,
  wanted: (element: Focused) => boolean,
  options: { limit?: number; backwards?: boolean } = {},
): Promise<Focused> {
  const limit = options.limit ?? 60;
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press(options.backwards ? 'Shift+Tab' : 'Tab');
    const element = await focused(page);
    if (wanted(element)) return element;
  }
  throw new Error(`not reached with Tab in ${limit} presses on ${page.url()}`);
}

export const withText =
  (text: string) =>
  (element: Focused): boolean =>
    element.text === text;

export const withId =
  (id: string) =>
  (element: Focused): boolean =>
    element.id === id;
