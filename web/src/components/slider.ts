/** A labelled slider that shows its value while it moves and sends it once let go. */
import { h } from '../dom.js';

export function slider(
  options: { id: string; label: string; min: number; max: number; step: number; value: number; format: (value: number) => string },
  change: (value: number) => void,
): HTMLLabelElement {
  const input = h('input', { type: 'range', id: options.id, min: options.min, max: options.max, step: options.step });
  input.value = String(options.value);
  const shown = h('output', { id: `${options.id}-value`, for: options.id }, options.format(options.value));
  input.oninput = () => (shown.textContent = options.format(Number(input.value)));
  input.onchange = () => change(Number(input.value));
  return h('label', { className: 'slider' }, h('span', {}, options.label), input, shown);
}
