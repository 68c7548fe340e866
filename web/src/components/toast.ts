/** A short note over the page: an error (an alert) or an information (a status), gone after 5 s. */
import { h } from '../dom.js';

export function flash(message: string, kind: 'error' | 'info' = 'error'): void {
  const note = h('div', { className: `flash ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  document.body.append(note);
  setTimeout(() => note.remove(), 5000);
}
