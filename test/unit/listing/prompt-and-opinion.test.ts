import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings } from '../../../src/config/config.js';
import { LISTING_ANSWER, listingMessages, makeModelMessages, parseListingAnswer, retryMessages } from '../../../src/listing/prompt.js';
import { buildDraft } from '../../../src/listing/draft.js';
import { resolveAttributes, type Evidence } from '../../../src/evidence/evidence.js';
import { listingFacts } from '../../../src/listing/listing-facts.js';
import { opinionEvidence, withMakeModelOpinion } from '../../../src/listing/llm-opinion.js';

const text = { title: 'White Ford Kuga', description: 'A white Ford Kuga.', highlights: ['White'] };
const facts = listingFacts({ attributes: {}, colour: 'white', bodyType: null, photoCount: 4, videoSeconds: 6 });

describe('parseListingAnswer', () => {
  it.each([
    ['plain JSON', JSON.stringify(text)],
    ['a code fence', '```json\n' + JSON.stringify(text) + '\n```'],
    ['prose around it', 'Here you go:\n' + JSON.stringify(text) + '\nHope this helps.'],
  ])('reads %s', (_name, content) => {
    expect(parseListingAnswer(content)).toEqual({ ok: true, value: text });
  });

  it.each([
    ['nothing', '', 'empty'],
    ['prose only', 'A white Ford Kuga.', 'no JSON object'],
    ['a cut-off object', '{"title": "White', 'not valid JSON'],
    ['broken JSON', '{"title": "White", }', 'not valid JSON'],
    ['a missing field', JSON.stringify({ title: 'x', description: 'y' }), 'highlights'],
    ['a wrong type', JSON.stringify({ ...text, highlights: 'White' }), 'highlights'],
  ])('rejects %s as MALFORMED_ANSWER', (_name, content, reason) => {
    const parsed = parseListingAnswer(content);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.violation.code).toBe('MALFORMED_ANSWER');
      expect(parsed.violation.reason).toContain(reason);
    }
  });
});

describe('messages', () => {
  it('states the limits and sends the facts alone as the user message', () => {
    const limits = parseSettings({ listingText: { titleMaxChars: 70 } }).listingText;
    const [system, user] = listingMessages(facts, limits);
    expect(system.content).toContain('at most 70 characters');
    expect(JSON.parse(user.content as string)).toEqual({ facts: { colour: 'white', photoCount: 4, videoSeconds: 6 } });
  });

  it('sends the first answer back with the reasons for the second try', () => {
    const first = listingMessages(facts, DEFAULT_SETTINGS.listingText);
    const retry = retryMessages(first, '{"title":"Must see!"}', [{ code: 'MARKETING_PHRASE', field: 'title', match: 'Must see', reason: '"Must see": marketing lingo' }]);
    expect(retry.slice(0, 2)).toEqual(first);
    expect(retry[2]).toEqual({ role: 'assistant', content: '{"title":"Must see!"}' });
    expect(retry[3].content).toContain('- title: "Must see": marketing lingo [MARKETING_PHRASE]');
  });

  it('asks about make and model with the photos as low-detail images', () => {
    const [, user] = makeModelMessages(facts, ['data:image/jpeg;base64,AAA', 'data:image/jpeg;base64,BBB']);
    expect(user.content).toEqual([
      { type: 'text', text: JSON.stringify({ known: { make: null, model: null, year: null } }) },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAA', detail: 'low' } },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,BBB', detail: 'low' } },
    ]);
  });

  it('gives a strict JSON schema for structured output', () => {
    expect(LISTING_ANSWER.jsonSchema).toEqual({
      type: 'object',
      properties: { title: { type: 'string' }, description: { type: 'string' }, highlights: { type: 'array', items: { type: 'string' } } },
      required: ['title', 'description', 'highlights'],
      additionalProperties: false,
    });
  });
});

describe('the LLM make/model opinion', () => {
  const opinion = { make: 'Toyota', model: 'Camry', confidence: 0.95, agrees: false, reason: 'Toyota badge on the grille' };
  const vin = (attribute: Evidence['attribute'], value: string): Evidence => ({ attribute, value, source: 'vin', confidence: 1 });

  it('becomes evidence with source llm and a capped confidence', () => {
    const evidence = opinionEvidence(opinion, 3, 0.45);
    expect(evidence.map((e) => [e.attribute, e.value, e.source, e.confidence])).toEqual([
      ['make', 'Toyota', 'llm', 0.45],
      ['model', 'Camry', 'llm', 0.45],
    ]);
    expect(evidence[0].detail).toBe('LLM on 3 photos: Toyota badge on the grille');
    expect(opinionEvidence({ ...opinion, make: null, model: 'Camry' }, 3, 0.45)).toEqual([]);
  });

  it('never outranks other sources, and alone stays a candidate below the threshold', () => {
    const llm = opinionEvidence(opinion, 3, 0.45);
    expect(resolveAttributes([...llm, vin('make', 'Honda')]).make?.value).toBe('Honda');
    expect(resolveAttributes(llm).make).toBeUndefined();
  });

  it('questions a resolved make it disagrees with, and the draft waits for review', () => {
    const llm = opinionEvidence(opinion, 3, 0.45);
    const resolved = resolveAttributes([vin('make', 'Honda'), vin('model', 'Accord')]);
    const draft = buildDraft({ colour: 'grey', bodyType: null, make: 'Honda', model: 'Accord', year: null, photoCount: 3, videoSeconds: 5 });
    expect(draft.status).toBe('ready');
    const questioned = withMakeModelOpinion(draft, resolved, llm);
    expect(questioned.status).toBe('needs_review');
    expect(questioned.attributes).toMatchObject({ llmMakeModel: 'Toyota Camry (0.45)', makeModelQuestioned: 'the LLM sees a Toyota Camry, not a Honda Accord' });
  });

  it('only records an opinion that agrees', () => {
    const llm = opinionEvidence({ ...opinion, make: 'honda', model: 'accord', agrees: true }, 3, 0.45);
    const resolved = resolveAttributes([vin('make', 'Honda'), vin('model', 'Accord')]);
    const draft = buildDraft({ colour: 'grey', bodyType: null, make: 'Honda', model: 'Accord', year: null, photoCount: 3, videoSeconds: 5 });
    const confirmed = withMakeModelOpinion(draft, resolved, llm);
    expect(confirmed.status).toBe('ready');
    expect(confirmed.attributes.makeModelQuestioned).toBeUndefined();
    expect(withMakeModelOpinion(draft, resolved, [])).toBe(draft);
  });
});
