/**
 * Merge and split over HTTP against `lotreel serve` (a child process on loopback), on the embedded
 * database and on the PostgreSQL server when DATABASE_URL is set: a dealer's video of known cars is
 * written into the store first (no analysis run: exact cars), then the seller merges two cars, splits
 * one at a moment and at a photo, is refused with a stable code where a correction cannot apply, and
 * another dealer gets 404 and changes nothing. `lotreel eval --feedback` then reports the rates.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { car } from '../../../src/service/schemas.js';
import { openDatabase, type SavedVideoResult } from '../../../src/store/index.js';
import { describeRun, runCli } from '../../helpers/cli.js';
import { seedDealer, seedDealerVideo } from '../../helpers/seed-cars.js';
import { requireFreshBuild } from '../build.js';
import { backendKinds, client, createInstallation, startService, type Client, type Installation, type ServiceProcess } from './harness.js';

type Car = z.output<typeof car>;

describe.each(backendKinds)('merging and splitting cars over HTTP on %s', (kind) => {
  let install: Installation;
  let service: ServiceProcess;
  let a: Client;
  let b: Client;
  let three: SavedVideoResult;
  let single: SavedVideoResult;

  beforeAll(async () => {
    requireFreshBuild();
    install = await createInstallation(kind, 'corrections');
    const db = await openDatabase({ dataDir: install.dataDir, databaseUrl: install.database?.url });
    try {
      const dealerA = await seedDealer(db, 'Dealer A');
      const dealerB = await seedDealer(db, 'Dealer B');
      a = { token: dealerA.token } as Client;
      b = { token: dealerB.token } as Client;
      const mediaRoot = join(install.dataDir, 'media');
      three = await seedDealerVideo(db, dealerA.id, 3, { fingerprint: 'three-cars', mediaRoot });
      single = await seedDealerVideo(db, dealerA.id, 1, { fingerprint: 'one-car', mediaRoot });
    } finally {
      await db.close();
    }
    service = await startService(install, ['serve', '--no-worker']);
    a = client(service.url, a.token);
    b = client(service.url, b.token);
  }, 180_000);

  afterAll(async () => {
    if (service) {
      const code = await service.stop();
      if (code !== 0) console.error(service.output());
    }
    await install?.cleanup();
  });

  const post = (api: Client, path: string, body: unknown) =>
    api.json<Car[] & { error?: { code: string; message: string } }>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const carsOf = async (videoId: string) => (await a.json<Car[]>(`/api/videos/${videoId}/cars`)).body;

  it("another dealer's cars are 404 and stay as they were", async () => {
    const before = await carsOf(three.videoId);
    const [c1, c2] = three.cars;
    for (const answer of [
      await post(b, `/api/cars/${c1!.id}/merge`, { carId: c2!.id }),
      await post(b, `/api/cars/${c2!.id}/split`, { atMs: 22_000 }),
      await post(b, `/api/cars/${c2!.id}/split`, { photoId: c2!.photoIds[1] }),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.body.error?.code).toBe('NOT_FOUND');
    }
    expect(await carsOf(three.videoId)).toEqual(before);
  });

  it('corrections that cannot apply are refused with their code and change nothing', async () => {
    const before = await carsOf(three.videoId);
    const [c1, c2] = three.cars;
    const refusals: Array<[string, unknown, number, string]> = [
      [`/api/cars/${c1!.id}/merge`, { carId: single.cars[0]!.id }, 422, 'CARS_IN_DIFFERENT_VIDEOS'],
      [`/api/cars/${c1!.id}/merge`, { carId: c1!.id }, 422, 'MERGE_SAME_CAR'],
      [`/api/cars/${c2!.id}/split`, { atMs: 5_000 }, 422, 'SPLIT_OUTSIDE_CAR'],
      [`/api/cars/${c2!.id}/split`, { photoId: c1!.photoIds[0] }, 422, 'SPLIT_OUTSIDE_CAR'],
      [`/api/cars/${c2!.id}/split`, { atMs: -1 }, 400, 'INVALID_ARGUMENT'],
      [`/api/cars/${c2!.id}/split`, { atMs: 22_000, photoId: c2!.photoIds[1] }, 400, 'INVALID_ARGUMENT'],
      [`/api/cars/${c1!.id}/merge`, { carId: 'car-2' }, 400, 'INVALID_ARGUMENT'],
    ];
    for (const [path, body, status, code] of refusals) {
      const answer = await post(a, path, body);
      expect([answer.status, answer.body.error?.code], `${path} ${JSON.stringify(body)}`).toEqual([status, code]);
      expect(answer.body.error?.message).not.toMatch(/\n/);
    }
    expect(await carsOf(three.videoId)).toEqual(before);
  });

  it('merge: two cars become one with both cars\' photos, its draft to review; the answer is the video\'s cars', async () => {
    const [c1, c2, c3] = three.cars;
    const answer = await post(a, `/api/cars/${c2!.id}/merge`, { carId: c1!.id });
    expect(answer.status).toBe(200);
    expect(answer.body.map((c) => [c.ordinal, c.id])).toEqual([[1, c1!.id], [2, c3!.id]]);
    const merged = answer.body[0]!;
    expect(merged.photos.map((p) => p.id)).toEqual([...c1!.photoIds, ...c2!.photoIds]);
    expect(merged.photos.filter((p) => p.cover).map((p) => p.id)).toEqual([c1!.photoIds[0]]);
    expect(merged.draft).toMatchObject({ id: c1!.draftId, status: 'needs_review' });
    expect(merged).toMatchObject({ confidence: 1, warnings: [] });
    expect(await carsOf(three.videoId)).toEqual(answer.body);
    // The moved photos still render (their files did not move).
    const image = await a.fetch(merged.photos.at(-1)!.url);
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
  });

  it('split at a moment and at a photo: the new car follows its car, photos by their moment', async () => {
    const car = single.cars[0]!; // footage 10.0-14.5 s and 16.0-16.001 s; photos at 10.0 and 10.25 s
    const atMoment = await post(a, `/api/cars/${car.id}/split`, { atMs: 12_000 });
    expect(atMoment.status).toBe(200);
    expect(atMoment.body.map((c) => c.segments)).toEqual([[{ startMs: 10_000, endMs: 12_000 }], [{ startMs: 12_000, endMs: 14_500 }, { startMs: 16_000, endMs: 16_001 }]]);
    expect(atMoment.body.map((c) => c.photos.length)).toEqual([2, 0]);
    const atPhoto = await post(a, `/api/cars/${car.id}/split`, { photoId: car.photoIds[1] });
    expect(atPhoto.status).toBe(200);
    expect(atPhoto.body.map((c) => [c.ordinal, c.photos.map((p) => p.id), c.photos.filter((p) => p.cover).length, c.draft?.status])).toEqual([
      [1, [car.photoIds[0]], 1, 'needs_review'],
      [2, [car.photoIds[1]], 1, 'needs_review'],
      [3, [], 0, 'needs_review'],
    ]);
    expect(atPhoto.body[1]!.draft!.title).toBe(atPhoto.body[0]!.draft!.title);
  });

  it('lotreel eval --feedback reports the merge and split rates', async () => {
    // The embedded database belongs to the serving process: read it once the service has stopped.
    if (kind === 'pglite') expect(await service.stop()).toBe(0);
    const run = await runCli(['eval', '--feedback', '--json'], { env: install.env(), timeoutMs: 60_000 });
    expect(run.code, describeRun(run)).toBe(0);
    const stats = JSON.parse(run.stdout) as { split: unknown; byKind: Record<string, number> };
    // One merge in the 3-car video (3 proposed), two splits in the 1-car video (1 proposed).
    expect(stats.split).toEqual({ videos: 2, proposedCars: 4, merges: 1, splits: 2, mergeRate: 0.25, splitRate: 0.5 });
    expect(stats.byKind).toMatchObject({ cars_merged: 1, car_split: 2 });
  });
});

