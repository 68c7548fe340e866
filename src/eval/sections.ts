/**
 * What `lotreel eval` reports (pure): one section per component, each computed from the same item
 * outcomes. Sections are a list so later components add theirs (the LLM's rule violations caught,
 * sellers' corrections) without touching the others: implement EvalSection and append it.
 */
import { resolveAttributes, type EvidenceSource } from '../evidence/evidence.js';
import type { EvalFigure, EvalSection, ItemOutcome, PlateRegionOut } from './eval-types.js';
import { segmentationSection } from './segmentation-section.js';

export type { CarOutcome, EvalFigure, EvalSection, ItemOutcome, PlateRegionOut } from './eval-types.js';

export interface EvalReport {
  dir: string;
  items: number;
  failed: { file: string; error: string }[];
  sections: { id: string; title: string; figures: EvalFigure[] }[];
  /** Per picture, the plate regions found (photo pixels). */
  pictures: { file: string; plates: PlateRegionOut[] }[];
}

const ratio = (name: string, hits: number, total: number): EvalFigure => ({ name, value: total > 0 ? hits / total : null, detail: `${hits}/${total}` });
const same = (a: unknown, b: unknown) => String(a).trim().toLowerCase() === String(b).trim().toLowerCase();
const cars = (outcomes: readonly ItemOutcome[]) => outcomes.flatMap((o) => o.cars);

export const vinSection: EvalSection = {
  id: 'vin',
  title: 'VIN reading',
  figures(outcomes) {
    const labelled = cars(outcomes).filter((c) => c.label.vin);
    const read = labelled.filter((c) => c.evidence?.some((e) => e.attribute === 'vin' && e.value === c.label.vin));
    const decoded = read.filter((c) => c.evidence?.some((e) => e.source === 'vin' && e.attribute === 'make'));
    const wrong = labelled.filter((c) => c.evidence?.some((e) => e.attribute === 'vin' && e.value !== c.label.vin));
    return [
      ratio('VIN read rate', read.length, labelled.length),
      ratio('decoded (of read)', decoded.length, read.length),
      { name: 'labelled cars given a wrong VIN', value: wrong.length },
    ];
  },
};

/** Accuracy of one attribute overall and by the source that set it. */
function accuracyBySource(outcomes: readonly ItemOutcome[], attribute: 'make' | 'model' | 'year' | 'mileage'): EvalFigure[] {
  const labelled = cars(outcomes).filter((c) => c.label[attribute] !== undefined);
  const bySource = new Map<EvidenceSource, { set: number; right: number }>();
  let right = 0;
  let set = 0;
  for (const car of labelled) {
    const resolved = car.evidence ? resolveAttributes(car.evidence)[attribute] : undefined;
    if (!resolved) continue;
    set++;
    const ok = same(resolved.value, car.label[attribute]);
    if (ok) right++;
    const entry = bySource.get(resolved.source) ?? { set: 0, right: 0 };
    entry.set++;
    if (ok) entry.right++;
    bySource.set(resolved.source, entry);
  }
  return [
    ratio(`${attribute} accuracy`, right, labelled.length),
    ratio(`${attribute} set`, set, labelled.length),
    ...[...bySource].map(([source, s]) => ratio(`${attribute} right when from ${source}`, s.right, s.set)),
  ];
}

/** Cars labelled with make and model whose make and model were both set (a `ready` draft), and how many of those are wrong. */
function wrongReady(outcomes: readonly ItemOutcome[]): EvalFigure {
  let ready = 0;
  let wrong = 0;
  for (const car of cars(outcomes)) {
    if (car.label.make === undefined || car.label.model === undefined || !car.evidence) continue;
    const resolved = resolveAttributes(car.evidence);
    if (!resolved.make || !resolved.model) continue;
    ready++;
    if (!same(resolved.make.value, car.label.make) || !same(resolved.model.value, car.label.model)) wrong++;
  }
  return ratio('make and model set but wrong (ready)', wrong, ready);
}

export const makeModelSection: EvalSection = {
  id: 'makeModel',
  title: 'Make, model and year by source',
  figures: (outcomes) => [...accuracyBySource(outcomes, 'make'), ...accuracyBySource(outcomes, 'model'), ...accuracyBySource(outcomes, 'year'), wrongReady(outcomes)],
};

export const stickerSection: EvalSection = {
  id: 'sticker',
  title: 'Window stickers',
  figures: (outcomes) => accuracyBySource(outcomes, 'mileage'),
};

export const plateSection: EvalSection = {
  id: 'plates',
  title: 'Licence plates',
  figures(outcomes) {
    const scored = outcomes.filter((o) => o.plates?.labelled !== undefined).map((o) => o.plates as Required<NonNullable<ItemOutcome['plates']>>);
    const labelled = scored.filter((p) => p.labelled > 0);
    const none = scored.filter((p) => p.labelled === 0);
    // Found never counts more than labelled: without boxes a count is all that is known.
    const found = labelled.reduce((n, p) => n + Math.min(p.found, p.labelled), 0);
    const total = labelled.reduce((n, p) => n + p.labelled, 0);
    const boxed = scored.filter((p) => p.falseBlurs !== undefined);
    const falseBlurs = boxed.reduce((n, p) => n + p.falseBlurs, 0);
    const extra = scored.reduce((n, p) => n + (p.falseBlurs ?? Math.max(0, p.regions.length - p.labelled)), 0);
    return [
      ratio(boxed.length > 0 ? 'plates found (IoU >= 0.3 or 70% covered)' : 'plates found', found, total),
      { name: 'regions blurred that are not plates', value: extra },
      ...(boxed.length > 0 ? [{ name: 'false blurs per picture', value: falseBlurs / boxed.length, detail: `${falseBlurs} in ${boxed.length}` }] : []),
      ratio('pictures without plates left untouched', none.filter((p) => p.regions.length === 0).length, none.length),
    ];
  },
};

/** The sections `lotreel eval` prints, in order. Append new components' sections here. */
export const EVAL_SECTIONS: readonly EvalSection[] = [vinSection, makeModelSection, stickerSection, plateSection, segmentationSection];

export function buildReport(dir: string, outcomes: readonly ItemOutcome[], sections: readonly EvalSection[] = EVAL_SECTIONS): EvalReport {
  return {
    dir,
    items: outcomes.length,
    failed: outcomes.filter((o) => o.error).map((o) => ({ file: o.file, error: o.error! })),
    sections: sections.map((s) => ({ id: s.id, title: s.title, figures: s.figures(outcomes.filter((o) => !o.error)) })),
    pictures: outcomes.filter((o) => o.plates).map((o) => ({ file: o.file, plates: o.plates!.regions })),
  };
}

export function formatReport(report: EvalReport): string {
  const lines = [`${report.dir}: ${report.items} item${report.items === 1 ? '' : 's'}${report.failed.length ? `, ${report.failed.length} failed` : ''}`];
  for (const failure of report.failed) lines.push(`  failed ${failure.file}: ${failure.error}`);
  for (const section of report.sections) {
    lines.push('', section.title);
    for (const figure of section.figures) {
      const value =
        figure.value === null ? 'n/a' : Number.isInteger(figure.value) && !figure.detail?.includes('/') ? String(figure.value) : figure.detail?.includes(' in ') ? figure.value.toFixed(3) : `${(figure.value * 100).toFixed(1)}%`;
      lines.push(`  ${figure.name.padEnd(40)} ${value.padStart(7)}${figure.detail && figure.value !== null ? `  (${figure.detail})` : ''}`);
    }
  }
  return lines.join('\n');
}
