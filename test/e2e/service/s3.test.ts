/**
 * The dealer service with LOTREEL_STORAGE=s3 against a real S3-compatible server on loopback
 * (s3rver): `lotreel serve` as a child process uploads the original, publishes the photos, serves
 * them back, lets the editor render a photo and add a frame, and deletes every object with the video.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { startS3Server, type S3TestServer } from '../../helpers/s3-server.js';
import { requireFreshBuild } from '../build.js';
import { client, createInstallation, startService, waitForVideo, type Client, type Installation, type ServiceProcess } from './harness.js';

const jpegMagic = (bytes: Uint8Array) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

describe('the dealer service on S3 storage', () => {
  let s3: S3TestServer;
  let install: Installation;
  let service: ServiceProcess;
  let api: Client;

  beforeAll(async () => {
    requireFreshBuild();
    s3 = await startS3Server();
    install = await createInstallation('pglite', 's3');
    const token = await install.addDealer('Dealer S3');
    service = await startService(install, ['serve'], s3.env);
    api = client(service.url, token);
  });

  afterAll(async () => {
    if (service) {
      const code = await service.stop();
      if (code !== 0) console.error(service.output());
    }
    await install?.cleanup();
    await s3?.close();
  });

  it('keeps the original and the photos in the bucket, serves them, edits them and deletes them with the video', async () => {
    const video = await readFile((await buildPreset('singleCar')).video);
    const upload = await api.uploadMultipart(video, 'lot.mp4');
    expect(upload.status).toBe(202);
    const id: string = upload.body.id;
    await waitForVideo(api, id, (s) => s.status === 'done');

    const keys = await s3.keys();
    const original = keys.find((k) => k.endsWith(`/${id}/original`));
    expect(original).toBeDefined();
    const prefix = original!.slice(0, -'original'.length);
    // Published photos only: a photo whose plates were blurred keeps its private original under originals/.
    const photoKeys = keys.filter((k) => k.startsWith(prefix) && k.endsWith('.jpg') && !k.includes('/originals/'));
    expect(photoKeys.length).toBeGreaterThan(0);
    expect(existsSync(join(install.dataDir, 'media'))).toBe(false); // nothing stored locally

    const [car] = (await api.json(`/api/videos/${id}/cars`)).body;
    expect(car.photos.length).toBe(photoKeys.length);
    const image = await api.fetch(car.photos[0].url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    const bytes = new Uint8Array(await image.arrayBuffer());
    expect(jpegMagic(bytes)).toBe(true);
    expect(Number(image.headers.get('content-length'))).toBe(bytes.length);

    // The editor reads the photo and the original through the store, and writes a new frame into it.
    const rendered = await api.fetch(`/api/photos/${car.photos[0].id}/rendered`);
    expect(rendered.status).toBe(200);
    expect(jpegMagic(new Uint8Array(await rendered.arrayBuffer()))).toBe(true);
    const frame = await api.fetch(`/api/drafts/${car.draft.id}/frames`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ timestampMs: 1000 }) });
    expect(frame.status, await frame.clone().text()).toBeLessThan(300);
    expect((await s3.keys()).some((k) => k.startsWith(`${prefix}car-`) && /\/frame-1000-[0-9a-f]+\.jpg$/.test(k))).toBe(true);

    const removed = await api.fetch(`/api/videos/${id}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect((await api.fetch(car.photos[0].url)).status).toBe(404);
    expect(await s3.keys()).toEqual([]);
  });
});
