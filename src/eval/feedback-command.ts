/** `lotreel eval --feedback`: the sellers' corrections as accuracy figures (the CLI hook is one call). */
import type { Config } from '../config/config.js';
import type { Logger } from '../core/log.js';
import { openDatabase } from '../store/database.js';
import { listFeedback, listProposedCars, listReviewedVideos } from '../store/feedback.repository.js';
import { feedbackStats, formatFeedbackStats, type FeedbackStats } from '../feedback/stats.js';

export async function evalFeedback(config: Config, log: Logger): Promise<FeedbackStats> {
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }, { logger: log });
  try {
    return feedbackStats(await listFeedback(db), await listProposedCars(db), await listReviewedVideos(db));
  } finally {
    await db.close();
  }
}

/** Prints the figures (JSON with `json`); exit status 0. */
export async function runFeedbackEval(config: Config, log: Logger, json: boolean, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const stats = await evalFeedback(config, log);
  out.write(json ? JSON.stringify(stats, null, 2) + '\n' : formatFeedbackStats(stats) + '\n');
  return 0;
}
