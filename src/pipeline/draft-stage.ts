/**
 * Each car's facts and draft (I/O wiring for the LLM; decisions in evidence/ and listing/): evidence
 * from vision, text and CLIP; with vision enabled the LLM's look at the photos as the least trusted
 * evidence; then the text, by the LLM under the rules or by the template.
 */
import { join } from 'node:path';
import type { ListingTextSettings } from '../config/config.js';
import type { Logger } from '../core/log.js';
import { mapWithConcurrency } from '../core/concurrency.js';
import type { LlmClient } from '../llm/client.js';
import { writeListingText } from '../listing/listing-text.js';
import { askMakeModel } from '../listing/llm-make-model.js';
import { heldForPlates, type Draft } from '../listing/draft.js';
import { listingFacts } from '../listing/listing-facts.js';
import { withMakeModelOpinion } from '../listing/llm-opinion.js';
import { resolveAttributes, type Evidence } from '../evidence/evidence.js';
import type { MakeModelResult } from '../evidence/clip-make-model.js';
import type { Observation } from '../analysis/observation.js';
import { carBodyType, carColour } from '../analysis/car-summary.js';
import type { CarTextResult } from '../text/text-stage.js';
import { clipFile, originalFile, photoFile, type PlannedCar } from './photo-stage.js';
import type { FinishedCar } from './result.js';
import type { CarConfidence } from '../analysis/confidence.js';

async function carDraft(
  known: { colour: string | null; bodyType: string | null; photoCount: number; videoSeconds: number },
  evidence: Evidence[],
  photoFiles: string[],
  llm: LlmClient | null,
  settings: ListingTextSettings,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<Draft> {
  const seen = listingFacts({ attributes: resolveAttributes(evidence), ...known });
  const opinion = llm?.config.vision ? await askMakeModel(photoFiles, seen, { llm, settings, log, signal }) : [];
  const attributes = resolveAttributes([...evidence, ...opinion]);
  const draft = await writeListingText(listingFacts({ attributes, ...known }), { llm, settings, log, signal });
  return withMakeModelOpinion(draft, attributes, opinion);
}

/** Every car finished: its summary, evidence and draft; two cars at a time (an LLM's answers are waited on). */
export function finishCars(
  planned: readonly PlannedCar[],
  observations: readonly Observation[],
  found: { sizes: readonly { width: number; height: number }[]; texts: readonly CarTextResult[]; makeModels: readonly MakeModelResult[]; splits: readonly CarConfidence[] },
  context: { stagingDir: string; llm: LlmClient | null; textSettings: ListingTextSettings; log: Logger; signal?: AbortSignal },
): Promise<FinishedCar[]> {
  const firstStill = planned.map((_, i) => planned.slice(0, i).reduce((n, car) => n + car.photos.length, 0));
  return mapWithConcurrency(planned, 2, async (car, i) => {
    const sightings = car.group.members.map((m) => observations[m].car!);
    const colour = carColour(sightings);
    const bodyType = carBodyType(sightings);
    const videoMs = car.group.segments.reduce((sum, s) => sum + s.endMs - s.startMs, 0);
    const text = found.texts[i];
    const evidence: Evidence[] = [
      ...(colour ? [{ attribute: 'colour', value: colour, source: 'vision', confidence: 0.7 } as const] : []),
      ...(bodyType ? [{ attribute: 'bodyType', value: bodyType, source: 'vision', confidence: 0.5 } as const] : []),
      ...text.evidence,
      ...(found.makeModels[i]?.evidence ?? []),
    ];
    const photos = car.photos.map((chosen, k) => {
      const plates = (text.plates[k] ?? []).map((p) => p.box);
      return { chosen, file: photoFile(car.ordinal, k), size: found.sizes[firstStill[i] + k], plates, original: plates.length > 0 ? originalFile(car.ordinal, k) : null };
    });
    const known = { colour, bodyType, photoCount: car.photos.length, videoSeconds: videoMs / 1000 };
    // The photos as exported (plates already blurred) are what an LLM may look at.
    const photoFiles = photos.map((p) => join(context.stagingDir, p.file));
    const written = await carDraft(known, evidence, photoFiles, context.llm, context.textSettings, context.log.child({ car: car.ordinal }), context.signal);
    // Plates that could not be looked for: held for the seller, never published as is by chance.
    const draft = text.plateProblem ? heldForPlates(written, text.plateProblem) : written;
    return { ordinal: car.ordinal, segments: car.group.segments, colour, bodyType, draft, clip: clipFile(car.ordinal), photos, evidence, makeModel: found.makeModels[i], split: found.splits[i] };
  });
}
