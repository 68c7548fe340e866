/**
 * A draft's review state (pure), the one list of it: the API's enum, the stores' types and the web page
 * derive from here (the database's check constraint is held to it by a test).
 */
export const DRAFT_STATUSES = ['needs_review', 'ready', 'published'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

/** What the pipeline sets (publishing is the seller's). */
export type MachineDraftStatus = Exclude<DraftStatus, 'published'>;
