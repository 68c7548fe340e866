/**
 * Keyboard shortcuts: the page in view names its keys (and the tool open over it names its own, which
 * win); typing in a field never triggers one, except Escape. Keys are written as `KeyboardEvent.key`
 * with `Ctrl+` (Ctrl or Cmd) or `Shift+` in front when held: `c`, `Shift+R`, `Ctrl+z`, `ArrowLeft`.
 */
export interface Shortcut {
  keys: string[];
  label: string;
  run: () => unknown;
}

let page: () => Shortcut[] = () => [];
let tool: Shortcut[] = [];

/** The current page's shortcuts, asked at each key press (they follow what the page shows). */
export function setPageShortcuts(shortcuts: () => Shortcut[]): void {
  page = shortcuts;
}

/** A tool's shortcuts while it is open; null when it closes. */
export function setToolShortcuts(shortcuts: Shortcut[] | null): void {
  tool = shortcuts ?? [];
}

/** What a key press is called here. Letters keep their case only through `Shift+`. */
export function keyName(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey'>): string {
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const shift = event.shiftKey && (key.length > 1 || /[a-z]/.test(key)) ? 'Shift+' : '';
  return `${event.ctrlKey || event.metaKey ? 'Ctrl+' : ''}${shift}${key.length === 1 && shift ? key.toUpperCase() : key}`;
}

const typing = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

export function listenForShortcuts(): void {
  document.addEventListener('keydown', (event) => {
    const name = keyName(event);
    if (typing(event.target) && name !== 'Escape' && name !== 'Ctrl+s') return;
    const found = shortcutsInView().find((s) => s.keys.includes(name));
    if (!found) return;
    event.preventDefault();
    found.run();
  });
}

/** The shortcuts in view, for the help list. */
export const shortcutsInView = (): Shortcut[] => (tool.length > 0 ? tool : page());
