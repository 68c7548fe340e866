/**
 * Short notes over the page: an information (a status, gone after 4 s) or an error (an alert, kept
 * until dismissed, replaced by the next error, and cleared by the next action that succeeds, so a
 * stale failure never sits beside a success).
 */
import { h } from '../dom.js';

const INFO_MS = 4000;
const ERROR_MS = 15000;

function holder(): HTMLElement {
  return document.getElementById('toasts') ?? document.body.appendChild(h('div', { id: 'toasts', className: 'toasts' }));
}

/** Removes every error note (after an action succeeded). */
export function clearErrors(): void {
  for (const note of holder().querySelectorAll('.flash.error')) note.remove();
}

export function flash(message: string, kind: 'error' | 'info' = 'error'): void {
  if (kind === 'error') clearErrors();
  const note = h('div', { className: `flash ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, h('span', {}, message));
  if (kind === 'error') note.append(h('button', { type: 'button', className: 'close', 'aria-label': 'Dismiss', onclick: () => note.remove() }, '×'));
  holder().append(note);
  setTimeout(() => note.remove(), kind === 'error' ? ERROR_MS : INFO_MS);
}
