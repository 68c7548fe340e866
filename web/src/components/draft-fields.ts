/** The draft's fields, each with where its value came from (and what lotreel said, beside a seller's value). */
import { api } from '../api.js';
import type { DraftFieldName, EditorDraft, FieldsPatch } from '../api-types.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';
import { sourceName, statusLabel } from '../format.js';
import { regenerateText } from './regenerate-text.js';
import { flash } from './toast.js';

const FIELD_LABELS: Record<Exclude<DraftFieldName, 'mileage'>, string> & { mileage: (unit: string) => string } = {
  title: 'Title',
  description: 'Description',
  make: 'Make',
  model: 'Model',
  year: 'Year',
  colour: 'Colour',
  mileage: (unit) => `Mileage (${unit})`,
};

const isNumeric = (name: DraftFieldName) => name === 'year' || name === 'mileage';

/** The fields form; `saved` receives the draft the API answers after a save; mileage is in the market's `mileageUnit`. */
export function draftFields(getDraft: () => EditorDraft, saved: (draft: EditorDraft) => void, mileageUnit: string): { element: HTMLFormElement; render: () => void } {
  const label = (name: DraftFieldName) => (name === 'mileage' ? FIELD_LABELS.mileage(mileageUnit) : FIELD_LABELS[name]);
  const form = h('form', { className: 'card fields', id: 'fields' });
  const render = () => {
    const d = getDraft();
    const inputs: Partial<Record<DraftFieldName, HTMLInputElement | HTMLTextAreaElement>> = {};
    const rows = (Object.keys(FIELD_LABELS) as DraftFieldName[]).map((name) => {
      const field = d.fields[name];
      const numeric = isNumeric(name);
      const input =
        name === 'description'
          ? h('textarea', { name, id: `field-${name}`, rows: 4 })
          : h('input', { name, id: `field-${name}`, type: numeric ? 'number' : 'text', inputMode: numeric ? 'numeric' : undefined });
      input.value = field.value === null ? '' : String(field.value);
      inputs[name] = input;
      const source = field.source ? h('span', { className: `source ${field.source}`, title: 'where this value came from' }, sourceName(field.source)) : null;
      const machine =
        field.source === 'seller' && field.machine && field.machine.value !== field.value
          ? h('span', { className: 'muted machine' }, `lotreel said ${field.machine.value} (${sourceName(field.machine.source)})`)
          : null;
      return h('div', { className: 'field' }, h('label', { for: `field-${name}` }, label(name), ' ', source), input, machine);
    });
    const save = async (status?: FieldsPatch['status']) => {
      const fields: Record<string, string | number | null> = {};
      for (const name of Object.keys(inputs) as DraftFieldName[]) {
        const raw = inputs[name]!.value.trim();
        const value = raw === '' ? null : isNumeric(name) ? Number(raw) : raw;
        if (value !== d.fields[name].value && !(name === 'title' && value === null)) fields[name] = value;
      }
      // Values as typed; the server checks each against its field (and answers why it refuses one).
      const changed = fields as NonNullable<FieldsPatch['fields']>;
      const patch: FieldsPatch = status ? { fields: changed, status } : { fields: changed };
      const next = await attempt(() => api<EditorDraft>('PATCH', `/api/drafts/${d.id}/fields`, patch));
      if (next) {
        saved(next);
        render();
        flash('Saved', 'info');
      }
    };
    form.replaceChildren(
      h('h2', {}, 'Draft ', h('span', { className: `status ${d.status}`, id: 'draft-status' }, statusLabel(d.status))),
      ...rows,
      h(
        'div',
        { className: 'actions' },
        h('button', { type: 'submit', id: 'save-fields', className: 'primary', title: 'Save (Ctrl+S)', 'aria-keyshortcuts': 'Control+S' }, 'Save'),
        d.status === 'needs_review' ? h('button', { type: 'button', id: 'mark-ready', onclick: () => save('ready') }, 'Save and mark ready') : null,
      ),
      regenerateText(d, (next) => {
        saved(next);
        render();
      }),
    );
    form.onsubmit = (event) => {
      event.preventDefault();
      void save();
    };
  };
  return { element: form, render };
}
