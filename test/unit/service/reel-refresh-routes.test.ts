/**
 * Every route that changes a draft, its photos or its car is known to the reel refresh (or named here
 * as not changing what a reel shows): a new edit route cannot leave reels unrendered by forgetting the
 * list. The routes come from the real app's OpenAPI document, with the editor's routes registered as
 * `lotreel serve` registers them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import { buildApp } from '../../../src/service/app.js';
import type { ServiceContext } from '../../../src/service/context.js';
import { draftTextRoutes } from '../../../src/service/editor/text.routes.js';
import { editorClipAndSettingsRoutes } from '../../../src/service/editor/clip-settings.routes.js';
import { editorRoutes } from '../../../src/service/editor/editor.routes.js';
import { REEL_SOURCE_ROUTES } from '../../../src/service/reel-refresh.js';
import { testConfig } from '../../helpers/pipeline.js';
import { scratchDir } from '../../helpers/shared.js';

/** Changes that do not change what a reel shows. */
const NOT_REEL_SOURCES = new Set(['POST /api/drafts/:id/reels']);

describe('the reel refresh', () => {
  it('knows every route that changes a draft, its photos or its car', async () => {
    const ctx = { config: testConfig(join(scratchDir('reel-refresh-routes'), 'data')), log: silentLogger, db: {} } as unknown as ServiceContext;
    const app = await buildApp(ctx, { extraRoutes: [editorRoutes, editorClipAndSettingsRoutes, draftTextRoutes] });
    await app.ready();
    const paths = (app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
    await app.close();
    const changes = Object.entries(paths)
      .filter(([path]) => /^\/api\/(drafts|photos|cars)\/\{id\}/.test(path))
      .flatMap(([path, methods]) => Object.keys(methods).filter((m) => m !== 'get' && m !== 'head').map((m) => `${m.toUpperCase()} ${path.replace('{id}', ':id')}`));
    expect(changes.length).toBeGreaterThan(10);
    const unknown = changes.filter((change) => !NOT_REEL_SOURCES.has(change) && !(change.split(' ')[1] in REEL_SOURCE_ROUTES));
    expect(unknown).toEqual([]);
  });
});
