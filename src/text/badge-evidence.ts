/**
 * Make, model and trim evidence from badges (pure): catalogue names in the text on and around a car,
 * judged by where the text sits (text-placement). Signs are not badges; blocks of lines (stickers,
 * boards) are read as documents elsewhere.
 */
import type { Evidence } from '../evidence/evidence.js';
import type { BadgeCatalogue, CatalogueMake } from '../vehicle/badge-catalogue.js';
import { findNames, nameForms, nameIndex, tokensOf, wordsOf, type NameHit } from './name-matcher.js';
import { placeLines, type PlacementSettings, type TextPlace } from './text-placement.js';
import { byPicture, detailOf, TEXT_CONFIDENCE, type ReadText } from './text-evidence.js';

export const DEFAULT_PLACEMENT: PlacementSettings = { badgeMaxHeightShare: 0.12, badgeMaxWidthShare: 0.45, badgeMinInside: 0.8, boardMinLines: 3 };

const keyOf = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/[^A-Z0-9]/g, '');
/** A spelling that means its model even without the make: 4+ letters and digits, one a letter. */
const isDistinctive = (spelling: string) => keyOf(spelling).length >= 4 && /[A-Z]/.test(keyOf(spelling));

type ModelHit = Extract<NameHit, { kind: 'model' }>;

/** A displacement as badged: one digit, a point, one digit, maybe a unit or an engine family. */
const ENGINE_SIZE = /(?<![\d.,$£€])[1-8]\.\d(?:\s?(?:L|T|TSI|TFSI|TDI|TDCI|CRDI|HDI|DCI|I|D|V6|V8))?(?![\d.,A-Za-z])/gi;

/** A line of more words than this is running text, not a badge (unless it names the model itself). */
const MAX_BADGE_WORDS = 3;

/**
 * Whether a model read without its make on the picture counts: a badge on the car counts unless
 * another make uses the spelling or it is only a number or a single letter; text whose place is
 * unknown counts only for a distinctive, unambiguous spelling of the model's own name.
 */
function countsAlone(hit: ModelHit, place: TextPlace, text: string): boolean {
  if (hit.model.shared) return false;
  const key = keyOf(hit.spelling);
  const ownName = key === keyOf(hit.model.name);
  // Read as it is spelled, not found by splitting a longer run ("SPE642", a plate, is no "SP" badge).
  const tokens = new Set(tokensOf(text));
  const whole = nameForms(hit.spelling).some((form) => form.every((word) => tokens.has(word)));
  if (place === 'badge') return whole && /[A-Z]/.test(key) && key.length >= 2 && (ownName || isDistinctive(hit.spelling));
  return place === 'unknown' && whole && ownName && !hit.model.ambiguous && isDistinctive(hit.spelling);
}

/**
 * Make, model and trim evidence ('badge') from catalogue names in the text, picture by picture. A make
 * read counts; a model counts beside its make (on the same picture), or alone as judged by
 * `countsAlone`, then also for its make, less surely. A trim word counts only on a picture where a
 * model was found. Confidence scales with the recogniser's score.
 */
export function badgeEvidence(lines: readonly ReadText[], catalogue: BadgeCatalogue, placement: PlacementSettings = DEFAULT_PLACEMENT): Evidence[] {
  const index = nameIndex(catalogue);
  const evidence: Evidence[] = [];
  for (const pictureLines of byPicture(lines).values()) {
    const places = placeLines(pictureLines, placement);
    const read = pictureLines
      .map((line, i) => ({ line, place: places[i], hits: findNames(wordsOf(line.text, index), index) }))
      .filter((r) => r.place === 'badge' || r.place === 'unknown');
    const found = new Map<string, Evidence>();
    const offer = (e: Evidence) => {
      const key = `${e.attribute}|${e.value}`;
      if ((found.get(key)?.confidence ?? -1) < e.confidence) found.set(key, e);
    };
    const makesRead = new Set<CatalogueMake>();
    for (const { line, hits } of read) {
      for (const hit of hits) {
        if (hit.kind !== 'make') continue;
        makesRead.add(hit.make);
        offer({ attribute: 'make', value: hit.make.make, source: 'badge', confidence: TEXT_CONFIDENCE.make * line.score, detail: detailOf(line) });
      }
    }
    let modelFound = false;
    const used = new Set<string>();
    const modelLines = new Set<ReadText>();
    for (const { line, place, hits } of read) {
      for (const hit of hits) {
        if (hit.kind !== 'model') continue;
        const beside = makesRead.has(hit.make);
        // Beside another make on its own line ("MAZDA 3"), a spelling is that make's, not this one's.
        if (!beside && hits.some((h) => h.kind === 'make')) continue;
        // A model of another make than the one read on the picture does not join it into an answer.
        if (!beside && makesRead.size > 0) continue;
        if (!beside && !countsAlone(hit, place, line.text)) continue;
        const confidence = (beside ? TEXT_CONFIDENCE.modelWithMake : TEXT_CONFIDENCE.modelAlone) * line.score;
        offer({ attribute: 'model', value: hit.model.name, source: 'badge', confidence, detail: detailOf(line) });
        if (!beside) offer({ attribute: 'make', value: hit.make.make, source: 'badge', confidence, detail: detailOf(line) });
        modelFound = true;
        modelLines.add(line);
        for (let k = 0; k < hit.length; k++) used.add(`${line.text}|${hit.at + k}`);
      }
    }
    if (modelFound) {
      for (const { line, hits } of read) {
        // Badges are short: a trim word in running text (a sticker's equipment list) is not a trim badge.
        if (tokensOf(line.text).length > MAX_BADGE_WORDS && !modelLines.has(line)) continue;
        const tokens = new Set(tokensOf(line.text));
        const withModel = modelLines.has(line);
        for (const hit of hits) {
          if (hit.kind !== 'trim' || used.has(`${line.text}|${hit.at}`)) continue;
          // A trim word found by splitting a run ("TFSI" as TF + SI) counts only glued to the model ("CAMAROZL1").
          if (!withModel && !nameForms(hit.trim).some((form) => form.every((word) => tokens.has(word)))) continue;
          offer({ attribute: 'trim', value: hit.trim, source: 'badge', confidence: TEXT_CONFIDENCE.trim * line.score, detail: detailOf(line) });
        }
        // An engine size badge ("2.0T", "3.5 L", "1.5 TSI") is trim evidence too.
        for (const match of line.text.matchAll(ENGINE_SIZE)) {
          offer({ attribute: 'trim', value: match[0].replace(/\s+/g, ' ').trim(), source: 'badge', confidence: TEXT_CONFIDENCE.trim * line.score, detail: detailOf(line) });
        }
      }
    }
    evidence.push(...found.values());
  }
  return evidence;
}
