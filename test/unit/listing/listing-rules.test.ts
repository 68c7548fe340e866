import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { buildDraft } from '../../../src/listing/draft.js';
import type { Evidence } from '../../../src/evidence/evidence.js';
import { resolveAttributes } from '../../../src/evidence/evidence.js';
import { factsForPrompt, listingFacts, templateFacts, type ListingFacts } from '../../../src/listing/listing-facts.js';
import {
  checkListingText,
  formatTextOutcomeSummary,
  numbersIn,
  summariseTextOutcomes,
  textOutcomeFromAttributes,
  type ListingText,
  type TextOutcome,
  type ViolationCode,
} from '../../../src/listing/listing-rules.js';

const limits = DEFAULT_SETTINGS.listingText;
const ev = (attribute: Evidence['attribute'], value: string | number, source: Evidence['source'] = 'vin'): Evidence => ({ attribute, value, source, confidence: 1 });

/** A 2019 Honda Civic EX-L sedan, blue, 45000 on the clock, 12 photos, 18 s of video. */
const civic: ListingFacts = listingFacts({
  attributes: resolveAttributes([ev('make', 'Honda'), ev('model', 'Civic'), ev('year', 2019), ev('trim', 'EX-L'), ev('mileage', '45000 mi', 'sticker'), ev('drive', 'FWD')]),
  colour: 'blue',
  bodyType: 'sedan',
  photoCount: 12,
  videoSeconds: 17.6,
  viewsSeen: ['front', 'rear', 'interior'],
});
const unknownCar = listingFacts({ attributes: {}, colour: 'white', bodyType: null, photoCount: 8, videoSeconds: 9 });

const good: ListingText = {
  title: '2019 Honda Civic EX-L',
  description: 'A blue 2019 Honda Civic EX-L sedan with front-wheel drive and 45,000 on the odometer. 12 photos show the front, rear and interior.',
  highlights: ['EX-L trim', '45k on the odometer', 'Front-wheel drive'],
};

const codes = (text: Partial<ListingText>, facts = civic) => checkListingText({ ...good, ...text }, facts, limits).map((v) => v.code);

describe('checkListingText', () => {
  it('accepts a text that says only what the facts say', () => {
    expect(checkListingText(good, civic, limits)).toEqual([]);
  });

  const cases: [string, Partial<ListingText>, ViolationCode, ListingFacts?][] = [
    ['a price', { description: good.description + ' Yours for $14,500.' }, 'PRICE_OR_FINANCE'],
    ['a euro amount', { title: 'Honda Civic 9.900 €' }, 'PRICE_OR_FINANCE'],
    ['a monthly payment', { highlights: ['Only 199 per month'] }, 'PRICE_OR_FINANCE'],
    ['financing', { description: good.description + ' Financing available for everyone.' }, 'PRICE_OR_FINANCE'],
    ['an APR', { highlights: ['2.9% APR'] }, 'PRICE_OR_FINANCE'],
    ['a down payment', { description: good.description + ' Small down payment accepted.' }, 'PRICE_OR_FINANCE'],
    ['urgency', { description: good.description + " Won't last long!" }, 'MARKETING_PHRASE'],
    ['urgency with a curly apostrophe', { description: good.description + ' It won\u2019t last long.' }, 'MARKETING_PHRASE'],
    ['"must see"', { title: 'Must see 2019 Honda Civic' }, 'MARKETING_PHRASE'],
    ['"like new"', { highlights: ['Like new'] }, 'MARKETING_PHRASE'],
    ['"priced to sell"', { description: good.description + ' Priced to sell.' }, 'MARKETING_PHRASE'],
    ['an exclamation mark', { title: '2019 Honda Civic!' }, 'MARKETING_PHRASE'],
    ['an invented sunroof', { highlights: ['Power sunroof'] }, 'UNSUPPORTED_FEATURE'],
    ['invented leather seats', { description: good.description + ' Leather seats throughout.' }, 'UNSUPPORTED_FEATURE'],
    ['invented navigation (synonym)', { highlights: ['Built-in GPS'] }, 'UNSUPPORTED_FEATURE'],
    ['an invented history', { highlights: ['One owner'] }, 'UNSUPPORTED_CONDITION'],
    ['an invented accident record', { description: good.description + ' Accident-free.' }, 'UNSUPPORTED_CONDITION'],
    ['an invented trim', { title: '2019 Honda Civic Touring' }, 'UNSUPPORTED_TRIM'],
    ['a make the facts lack', { title: 'White Toyota' }, 'UNSUPPORTED_MAKE', unknownCar],
    ['a wrong colour', { description: good.description.replace('blue', 'red') }, 'UNSUPPORTED_ATTRIBUTE'],
    ['a wrong drive', { highlights: ['All-wheel drive'] }, 'UNSUPPORTED_ATTRIBUTE'],
    ['a wrong body', { title: '2019 Honda Civic hatchback' }, 'UNSUPPORTED_ATTRIBUTE'],
    ['an invented mileage', { highlights: ['30,000 miles'] }, 'UNSUPPORTED_NUMBER'],
    ['an invented year', { title: '2020 Honda Civic EX-L' }, 'UNSUPPORTED_NUMBER'],
    ['a number in words', { description: good.description + ' Five seats.' }, 'UNSUPPORTED_NUMBER'],
    ['an engine size', { highlights: ['1.5 litre engine'] }, 'UNSUPPORTED_NUMBER'],
    ['a link', { description: good.description + ' See www.example.com for more.' }, 'CONTACT_DETAILS'],
    ['an empty title', { title: '  ' }, 'TITLE_LENGTH'],
    ['a long title', { title: '2019 Honda Civic EX-L '.repeat(5) }, 'TITLE_LENGTH'],
    ['a short description', { description: 'Honda.' }, 'DESCRIPTION_LENGTH'],
    ['a long description', { description: 'A blue Honda Civic. '.repeat(80) }, 'DESCRIPTION_LENGTH'],
    ['too many highlights', { highlights: ['Honda', 'Civic', 'EX-L', 'blue', 'sedan', 'FWD'] }, 'HIGHLIGHTS_COUNT'],
    ['an empty highlight', { highlights: [''] }, 'HIGHLIGHT_LENGTH'],
    ['a long highlight', { highlights: ['A blue Honda Civic EX-L sedan with front-wheel drive and more'] }, 'HIGHLIGHT_LENGTH'],
  ];
  it.each(cases)('catches %s', (_name, text, code, facts) => {
    expect(codes(text, facts)).toContain(code);
  });

  it('gives each violation the field, the words and a reason', () => {
    const [v] = checkListingText({ ...good, highlights: ['Power sunroof'] }, civic, limits);
    expect(v).toEqual({ code: 'UNSUPPORTED_FEATURE', field: 'highlights', match: 'sunroof', reason: expect.stringContaining('"sunroof"') });
  });

  it('allows a feature, trim or colour once the facts state it', () => {
    const withSunroof = { ...civic, features: ['power sunroof'] };
    expect(codes({ highlights: ['Power moonroof'] }, withSunroof)).toEqual([]);
    expect(codes({ description: good.description.replace('blue', 'navy') })).toEqual([]);
  });

  it('does not read trims and makes into ordinary words', () => {
    const prose = 'A white car with limited photos so far; the seat and the lens ex situ. 8 photos and a 9-second walkaround video.';
    expect(codes({ title: 'White car', description: prose, highlights: [] }, unknownCar)).toEqual([]);
  });

  it('accepts the template text: it follows the same rules', () => {
    for (const facts of [civic, unknownCar]) {
      const draft = buildDraft(templateFacts(facts));
      expect(checkListingText({ title: draft.title, description: draft.description, highlights: [] }, facts, limits)).toEqual([]);
    }
  });
});

describe('numbersIn', () => {
  it.each([
    ['45,000 miles', [45000]],
    ['45k miles', [45000]],
    ['45\u202f000 km', [45000]],
    ['in 2019 12 photos', [2019, 12]],
    ['a 2.0 litre in 2019', [2, 2019]],
    ['twelve photos', [12]],
    ['no numbers here', []],
  ])('%s', (text, values) => {
    expect(numbersIn(text).map((n) => n.value)).toEqual(values);
  });
});

describe('listingFacts', () => {
  it('sends only known facts: no nulls, no sources, nothing about price', () => {
    const sent = factsForPrompt(civic);
    expect(sent).toEqual({
      make: 'Honda',
      model: 'Civic',
      year: 2019,
      trim: 'EX-L',
      bodyType: 'sedan',
      colour: 'blue',
      mileage: '45000 mi',
      drive: 'FWD',
      photoCount: 12,
      videoSeconds: 18,
      viewsSeen: ['front', 'rear', 'interior'],
    });
  });

  it('prefers an attribute from evidence to the colour seen in pixels', () => {
    const facts = listingFacts({ attributes: resolveAttributes([ev('colour', 'silver', 'seller')]), colour: 'grey', bodyType: null, photoCount: 1, videoSeconds: 3 });
    expect(facts.colour).toBe('silver');
    expect(facts.sources.colour).toBe('seller');
  });
});

describe('summariseTextOutcomes', () => {
  const v = (code: ViolationCode) => ({ code, field: 'description' as const, match: 'x', reason: 'x' });
  const outcomes: TextOutcome[] = [
    { source: 'llm', attempts: 1, violations: [], fallback: null },
    { source: 'llm', attempts: 2, violations: [v('PRICE_OR_FINANCE')], fallback: null },
    { source: 'template', attempts: 2, violations: [v('MARKETING_PHRASE'), v('PRICE_OR_FINANCE'), v('MARKETING_PHRASE')], fallback: 'rules' },
    { source: 'template', attempts: 0, violations: [], fallback: 'timeout' },
    { source: 'template', attempts: 0, violations: [], fallback: 'not_configured' },
  ];

  it('counts violations per code, rejected answers and fallbacks', () => {
    const s = summariseTextOutcomes(outcomes);
    expect(s).toMatchObject({ drafts: 5, llm: 2, template: 3, fellBack: 2, retried: 2, answersRejected: 3, violationsCaught: 4 });
    expect(s.byCode).toEqual({ PRICE_OR_FINANCE: 2, MARKETING_PHRASE: 2 });
    expect(s.byFallback).toEqual({ rules: 1, timeout: 1, not_configured: 1 });
  });

  it('reads outcomes back from stored draft attributes', () => {
    const stored = { textSource: 'template', textAttempts: 2, textFallback: 'rules', textViolations: ['MARKETING_PHRASE', 'PRICE_OR_FINANCE', 'NOT_A_CODE'] };
    const outcome = textOutcomeFromAttributes(stored)!;
    expect(outcome).toMatchObject({ source: 'template', attempts: 2, fallback: 'rules' });
    expect(outcome.violations.map((v) => v.code)).toEqual(['MARKETING_PHRASE', 'PRICE_OR_FINANCE']);
    expect(textOutcomeFromAttributes({ colour: 'red' })).toBeNull();
    expect(summariseTextOutcomes([outcome]).byCode).toEqual({ MARKETING_PHRASE: 1, PRICE_OR_FINANCE: 1 });
  });

  it('prints the figures an eval report shows', () => {
    const lines = formatTextOutcomeSummary(summariseTextOutcomes(outcomes));
    expect(lines[1]).toBe('rule violations caught: 4 in 3 rejected answers; 2 drafts retried');
    expect(lines).toContain('  PRICE_OR_FINANCE: 2');
  });
});

describe('purity', () => {
  it('keeps the rules, facts, opinion and prompt modules free of I/O', async () => {
    const { readFile } = await import('node:fs/promises');
    const files = ['src/listing/listing-rules.ts', 'src/listing/listing-facts.ts', 'src/listing/listing-vocabulary.ts', 'src/listing/llm-opinion.ts', 'src/listing/prompt.ts', 'src/llm/messages.ts'];
    for (const file of files) {
      const source = await readFile(new URL(`../../../${file}`, import.meta.url), 'utf8');
      const imports = [...source.matchAll(/^import\s+(?!type\b)[^;]*?from '([^']+)'/gm)].map((m) => m[1]);
      expect(imports.filter((m) => /^(node:|fs|child_process|pg|onnxruntime|sharp|openai)/.test(m)), file).toEqual([]);
    }
  });
});
