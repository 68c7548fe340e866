/**
 * The service's analysis settings come from the settings file in LOTREEL_CONFIG: a worker (inside
 * `lotreel serve` with the embedded database; a separate `lotreel worker` on a PostgreSQL server, the
 * API without the file) processes a real video with the file's `photos.maxPhotos`, and a worker whose
 * file has a typo refuses to start, naming it.
 */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { describeRun, runCli } from '../../helpers/cli.js';
import { requireFreshBuild } from '../build.js';
import { backendKinds, client, createInstallation, startService, waitForVideo, type Installation, type ServiceProcess } from './harness.js';

describe.each(backendKinds)('the service with a settings file on %s', (kind) => {
  let install: Installation;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    requireFreshBuild();
    install = await createInstallation(kind, 'settings');
  });

  afterAll(async () => {
    for (const p of running) if (p.proc.child.exitCode === null && p.proc.child.signalCode === null) await p.stop();
    await install?.cleanup();
  });

  it("a worker refuses to start on a settings file with an unknown key or a bad value, naming both", async () => {
    const file = join(install.root, 'typo.json');
    writeFileSync(file, JSON.stringify({ photos: { maxPhoto: 2, jpegQuality: 20 } }));
    const run = await runCli([kind === 'postgres' ? 'worker' : 'serve'], { env: install.env({ LOTREEL_CONFIG: file }), timeoutMs: 60_000 });
    expect(run.code, describeRun(run)).toBe(2);
    const line = run.stderr.trimEnd().split('\n').at(-1)!;
    expect(line).toContain('[INVALID_CONFIG]');
    expect(line).toContain(`${file}: photos.maxPhoto: unknown setting`);
    expect(line).toContain(`${file}: photos.jpegQuality:`);
  });

  it("the worker analyses with the file's photos.maxPhotos", async () => {
    const video = await readFile((await buildPreset('singleCar')).video);
    const file = join(install.root, 'lot.json');
    writeFileSync(file, JSON.stringify({ photos: { maxPhotos: 2 } }));
    const withFile = { LOTREEL_CONFIG: file };
    const token = await install.addDealer('Settings Motors'); // before serve: the embedded database is one process's
    // On a server the API runs without the file: only the worker's settings decide the photos.
    const api = await startService(install, kind === 'postgres' ? ['serve', '--no-worker'] : ['serve'], kind === 'postgres' ? {} : withFile);
    running.push(api);
    if (kind === 'postgres') running.push(await startService(install, ['worker'], withFile));

    const dealer = client(api.url, token);
    const upload = await dealer.uploadMultipart(video, 'single car.mp4');
    expect(upload.status).toBe(202);
    await waitForVideo(dealer, upload.body.id, (s) => s.status === 'done');
    const cars = await dealer.json<{ photos: unknown[] }[]>(`/api/videos/${upload.body.id}/cars`);
    expect(cars.body).toHaveLength(1);
    // A full turn of the car: 7 photos by default, 2 with the file.
    expect(cars.body[0].photos).toHaveLength(2);
  });
});
