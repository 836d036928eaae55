/** Small DOM helpers: text always goes in as text, never as HTML, since messages and names come from data. */

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

/** Announces a message to screen readers through the page's polite live region. */
export function announce(message: string): void {
  const region = byId('announcer');
  region.textContent = '';
  // A fresh text node in a later task is what makes screen readers read a repeated message again.
  setTimeout(() => (region.textContent = message), 50);
}

/** Shows an error in a view's alert paragraph, or clears it. */
export function showError(view: HTMLElement, error: unknown): void {
  const target = view.querySelector<HTMLElement>('[data-error]');
  if (target) target.textContent = error ? (error instanceof Error ? error.message : String(error)) : '';
}

/** What a subscription's error callback got (GraphQL errors, a close event or an Error), as a sentence. */
export function liveFailure(err: unknown): string {
  if (Array.isArray(err)) return String((err[0] as { message?: string } | undefined)?.message ?? 'The live feed was refused.');
  if (err instanceof Error) return err.message;
  return 'The live connection closed; reload the page to reconnect.';
}
