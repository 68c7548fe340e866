/**
 * Cars stored one by one before the video is done, then the final pass's correction in one
 * transaction: on the real databases (PGlite; PostgreSQL when DATABASE_URL is set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carStatesOfVideo, openDatabase, saveCarDraft, saveFinalCars, saveVideoResult, setCarClip, type Database } from '../../../src/store/index.js';
import { backends, type TestStore } from './backends.js';
import { sampleCar, sampleResult } from './sample-result.js';

describe.each(backends)('cars streamed into the store on $kind', (backend) => {
  let store: TestStore;
  let db: Database;

  beforeAll(async () => {
    store = await backend.create();
    db = await openDatabase(store.config);
  });
  afterAll(async () => {
    await db?.close();
    await store?.cleanup();
  });

  const titles = async (videoId: string) =>
    (await db.query<{ ordinal: number; title: string }>('select c.ordinal, d.title from cars c join drafts d on d.car_id = c.id where c.video_id = $1 order by c.ordinal', [videoId])).map(
      (r) => `${r.ordinal}:${r.title}`,
    );

  it('stores early cars whole, one in place of an earlier attempt\'s car of its number, then keeps, renumbers and replaces them at once', async () => {
    const { videoId } = await saveVideoResult(db, sampleResult(`streamed-${backend.kind}-${Date.now()}`, 0));
    const early = (ordinal: number, title: string) => ({ ...sampleCar(ordinal), draft: { ...sampleCar(ordinal).draft, title } });

    // A dead attempt stored car 1; the next attempt stores its car 1 (the same car) and car 2.
    await saveCarDraft(db, videoId, early(1, 'attempt 1 car 1'));
    const first = (await saveCarDraft(db, videoId, early(1, 'car A')))!;
    const second = (await saveCarDraft(db, videoId, early(2, 'car B')))!;
    expect(await titles(videoId)).toEqual(['1:car A', '2:car B']);
    const photos = await db.query<{ n: number }>('select count(*)::int as n from photos p join cars c on c.id = p.car_id where c.video_id = $1', [videoId]);
    expect(photos[0].n).toBe(6);

    // The seller edits car B's draft meanwhile; the final pass merges a revisit into car A (a new car
    // first in order), keeps car B (now second) and finds a third car.
    await db.query("update drafts set title = 'car B, edited' where id = $1", [second.draftId]);
    const video = { ...sampleResult('unused', 0).video, id: videoId };
    const ids = await saveFinalCars(db, video, [{ insert: early(1, 'car A and its revisit') }, { keep: { id: second.id, ordinal: 2, splitConfidence: 0.7, splitWarnings: ['possibly the same car as car 3'] } }, { insert: early(3, 'car C') }]);
    expect(ids[1]).toBe(second.id);
    expect(ids).not.toContain(first.id);
    expect(await titles(videoId)).toEqual(['1:car A and its revisit', '2:car B, edited', '3:car C']);
    expect((await carStatesOfVideo(db, videoId)).map((c) => c.id)).toEqual(ids);
    const [keptRow] = await db.query<{ split_confidence: number; split_warnings: string[] }>('select split_confidence, split_warnings from cars where id = $1', [second.id]);
    expect(keptRow).toEqual({ split_confidence: 0.7, split_warnings: ['possibly the same car as car 3'] });
  });

  it('stores a car of the final pass in place of the early cars it merged, in one transaction, and keeps it at the final commit', async () => {
    const { videoId } = await saveVideoResult(db, sampleResult(`merged-${backend.kind}-${Date.now()}`, 0));
    const early = (ordinal: number, title: string) => ({ ...sampleCar(ordinal), draft: { ...sampleCar(ordinal).draft, title } });
    const one = (await saveCarDraft(db, videoId, early(1, 'car A')))!;
    const two = (await saveCarDraft(db, videoId, early(2, 'car B')))!;
    const three = (await saveCarDraft(db, videoId, early(3, 'car A again')))!;
    // The final pass merges car A's revisit (early car 3) into car A: stored as car 4 in place of both.
    const merged = (await saveCarDraft(db, videoId, early(4, 'car A and its revisit'), [one.id, three.id]))!;
    expect(await titles(videoId)).toEqual(['2:car B', '4:car A and its revisit']);
    const video = { ...sampleResult('unused', 0).video, id: videoId };
    const keep = (id: string, ordinal: number) => ({ keep: { id, ordinal, splitConfidence: 1, splitWarnings: [] } });
    expect(await saveFinalCars(db, video, [keep(merged.id, 1), keep(two.id, 2)])).toEqual([merged.id, two.id]);
    expect(await titles(videoId)).toEqual(['1:car A and its revisit', '2:car B']);
  });

  it("gives an early car its clip once encoded, or holds its draft for review, keeping the seller's edits", async () => {
    const { videoId } = await saveVideoResult(db, sampleResult(`clips-${backend.kind}-${Date.now()}`, 0));
    const withoutClip = (ordinal: number) => ({ ...sampleCar(ordinal), clipFile: null, draft: { ...sampleCar(ordinal).draft, status: 'ready' as const, attributes: { colour: 'red' } } });
    const one = (await saveCarDraft(db, videoId, withoutClip(1)))!;
    const two = (await saveCarDraft(db, videoId, withoutClip(2)))!;
    await db.query("update drafts set title = 'edited meanwhile' where id = $1", [two.draftId]);

    expect(await setCarClip(db, one.id, { file: 'run-b/car-1/clip.mp4' })).toBe(true);
    expect(await setCarClip(db, two.id, { heldBecause: 'the clip is not published: OCR failed' })).toBe(true);
    const rows = await db.query<{ ordinal: number; clip_file: string | null; status: string; title: string; attributes: Record<string, unknown> }>(
      'select c.ordinal, c.clip_file, d.status, d.title, d.attributes from cars c join drafts d on d.car_id = c.id where c.video_id = $1 order by c.ordinal',
      [videoId],
    );
    expect(rows[0]).toMatchObject({ clip_file: 'run-b/car-1/clip.mp4', status: 'ready' });
    expect(await carStatesOfVideo(db, videoId)).toEqual([
      { id: one.id, draftId: one.draftId, hasClip: true },
      { id: two.id, draftId: two.draftId, hasClip: false },
    ]);
    expect(rows[1]).toMatchObject({ clip_file: null, status: 'needs_review', title: 'edited meanwhile', attributes: { colour: 'red', platesNotBlurred: 'the clip is not published: OCR failed' } });

    await db.query('delete from videos where id = $1', [videoId]);
    expect(await setCarClip(db, one.id, { file: 'run-c/car-1/clip.mp4' })).toBe(false);
    expect(await setCarClip(db, two.id, { heldBecause: 'again' })).toBe(false);
  });

  it('stores nothing for a deleted video', async () => {
    const { videoId } = await saveVideoResult(db, sampleResult(`deleted-${backend.kind}-${Date.now()}`, 0));
    await db.query('delete from videos where id = $1', [videoId]);
    expect(await saveCarDraft(db, videoId, sampleCar(1))).toBeNull();
    await expect(saveFinalCars(db, { ...sampleResult('unused', 0).video, id: videoId }, [{ insert: sampleCar(1) }])).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
