/** The list of keyboard shortcuts in view, opened with `?` or its button. */
import { h } from '../dom.js';
import { shortcutsInView } from '../shortcuts.js';

export function shortcutHelp(): { button: HTMLButtonElement; element: HTMLElement; toggle: () => void } {
  const element = h('section', { className: 'card shortcuts', id: 'shortcut-help', hidden: true });
  const toggle = () => {
    element.hidden = !element.hidden;
    if (element.hidden) return;
    element.replaceChildren(
      h('h2', {}, 'Keyboard shortcuts'),
      h('dl', {}, ...shortcutsInView().flatMap((s) => [h('dt', {}, ...s.keys.map((k) => h('kbd', {}, k))), h('dd', {}, s.label)])),
    );
  };
  const button = h('button', { type: 'button', id: 'show-shortcuts', className: 'link', title: 'Keyboard shortcuts (?)', 'aria-keyshortcuts': '?', onclick: toggle }, '⌨ Shortcuts');
  return { button, element, toggle };
}
