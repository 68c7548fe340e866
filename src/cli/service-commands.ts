/** The service's commands: serve, worker, dealers, export. Thin: they call src/service and src/store. */
import { getPriority, setPriority } from 'node:os';
import type { Config } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { feedCsv, MARKET_MILEAGE_UNIT, toFeedItems, type FeedItem } from '../service/feed.js';
import { startService } from '../service/server.js';
import { newApiToken, hashApiToken } from '../service/tokens.js';
import { photoImagePath } from '../service/views.js';
import { openDatabase } from '../store/database.js';
import { findDealersByName, insertDealer, listDealers } from '../store/dealers.repository.js';
import { getVideo, listCars, listVideos } from '../store/service.repository.js';
import type { Command } from './args.js';

export type ServiceCommand = Extract<Command, { kind: 'serve' | 'worker' | 'dealers-add' | 'dealers-list' | 'export' }>;

export const isServiceCommand = (command: Command): command is ServiceCommand =>
  ['serve', 'worker', 'dealers-add', 'dealers-list', 'export'].includes(command.kind);

const out = (line: string) => process.stdout.write(line + '\n');

function lowerOwnPriority(nice: number, log: Logger): void {
  try {
    setPriority(Math.max(getPriority(), nice));
  } catch (error) {
    log.warn('could not lower the worker\'s CPU priority', { nice, error: String(error) });
  }
}

export async function runServiceCommand(command: ServiceCommand, config: Config, log: Logger, signal: AbortSignal): Promise<number> {
  if (command.kind === 'serve' || command.kind === 'worker') {
    // A worker alone yields the CPU to the API. Linux niceness is per thread and inherited: set it
    // before the model sessions start their threads and before any ffmpeg is spawned.
    if (command.kind === 'worker') lowerOwnPriority(config.service.workerNice, log);
    const port = command.kind === 'serve' ? (command.port ?? config.service.port) : undefined;
    const service = await startService({ config, log, port, host: command.kind === 'serve' ? command.host : undefined, worker: command.kind === 'worker' || command.worker });
    if (service.url) out(`lotreel: API listening on ${service.url}`);
    if (command.kind === 'worker' || command.worker) out(`lotreel: worker started (${service.ctx.db.kind} database)`);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await service.close();
    return 0;
  }
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }, { logger: log });
  try {
    if (command.kind === 'dealers-add') {
      const token = newApiToken();
      const dealer = await insertDealer(db, command.name, hashApiToken(token));
      out(`dealer ${dealer.name} (${dealer.id}) added; its API token, shown only now:`);
      out(token);
      return 0;
    }
    if (command.kind === 'dealers-list') {
      const dealers = await listDealers(db);
      if (command.json) out(JSON.stringify(dealers, null, 2));
      else for (const d of dealers) out(`${d.id}\t${d.name}\t${d.createdAt.toISOString()}`);
      return 0;
    }
    const dealers = await findDealersByName(db, command.dealer);
    if (dealers.length !== 1) {
      throw new LotreelError('INVALID_ARGUMENT', dealers.length === 0 ? `no dealer named "${command.dealer}"` : `${dealers.length} dealers are named "${command.dealer}"`);
    }
    const dealerId = dealers[0]!.id;
    let videoIds: string[];
    if (command.video !== undefined) {
      if ((await getVideo(db, dealerId, command.video)) === null) throw new LotreelError('INVALID_ARGUMENT', `dealer "${command.dealer}" has no video ${command.video}`);
      videoIds = [command.video];
    } else {
      videoIds = (await listVideos(db, dealerId)).map((v) => v.id);
    }
    const base = config.service.publicUrl ?? `http://localhost:${config.service.port}`;
    const items: FeedItem[] = [];
    for (const id of videoIds) items.push(...toFeedItems((await listCars(db, dealerId, id)) ?? [], (photoId) => base + photoImagePath(photoId), MARKET_MILEAGE_UNIT[config.analysis.text.market]));
    process.stdout.write(command.format === 'csv' ? feedCsv(items) : JSON.stringify(items, null, 2) + '\n');
    return 0;
  } finally {
    await db.close();
  }
}
