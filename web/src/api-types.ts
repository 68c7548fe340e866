/**
 * The API's shapes as the server declares them (src/service/schemas.ts, with the domains' lists),
 * imported as types only: the page shares the contract without a copy, and nothing of zod or the
 * server reaches the bundle.
 */
import type { z } from 'zod';
import type * as schemas from '../../src/service/schemas.js';

export type VideoProgress = z.output<typeof schemas.videoStatus>;
export type VideoCreated = z.output<typeof schemas.videoCreated>;
export type VideoSummary = z.output<typeof schemas.videoSummary>;
export type Car = z.output<typeof schemas.car>;
export type EditorDraft = z.output<typeof schemas.editorDraft>;
export type EditorPhoto = z.output<typeof schemas.editorPhoto>;
export type Filmstrip = z.output<typeof schemas.filmstrip>;
export type FieldsPatch = z.input<typeof schemas.fieldsPatch>;
export type PhotoOrder = z.input<typeof schemas.photoOrder>;
export type FrameChoice = z.input<typeof schemas.frameChoice>;

export type { Box } from '../../src/core/geometry.js';
export type { Size } from '../../src/edits/geometry.js';
export type { Edit } from '../../src/edits/model.js';
export type { DraftFieldName, FieldSource } from '../../src/listing/draft-fields.js';
export type { DraftStatus } from '../../src/listing/draft-status.js';
export type EditorSettings = z.output<typeof schemas.editorSettings>;
export type ReelView = z.output<typeof schemas.reelView>;
export type ReelFormat = z.output<typeof schemas.reelFormat>;
