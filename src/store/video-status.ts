/**
 * A video's processing state (pure), the one list of it: the service queues a video, a run processes
 * it (a CLI run starts there), and it ends done or failed. The API's enum, the repositories, the web
 * page and the tests derive from here (the database's check constraint is held to it by a test).
 */
export const VIDEO_STATUSES = ['queued', 'processing', 'done', 'failed'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** No more progress will come: the video is done or failed. */
export function isVideoFinished(status: VideoStatus): boolean {
  return status === 'done' || status === 'failed';
}
