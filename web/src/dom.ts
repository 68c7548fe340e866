/** Building the page: one element helper, the main area, and what to stop when another page is shown. */
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    else if (key === 'className') el.className = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') (el as unknown as Record<string, unknown>)[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

const app = document.getElementById('app')!;
let cleanup: Array<() => void> = [];

/** Shows a page in the main area, stopping what the previous one left running. */
export function show(...nodes: Node[]): void {
  for (const stop of cleanup) stop();
  cleanup = [];
  app.replaceChildren(...nodes);
}

/** Runs `stop` when the next page is shown (a progress stream, say). */
export function onLeave(stop: () => void): void {
  cleanup.push(stop);
}
