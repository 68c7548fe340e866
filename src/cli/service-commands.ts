/** The service's commands: serve, worker, dealers, export. Thin: they call src/service and src/store. */
import { getPriority, setPriority } from 'node:os';
import type { Config } from '../config/config.js';
import { isLotreelError, LotreelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { callServe, readServeFile, type ServeFile } from '../service/admin-channel.js';
import { feedCsv, MARKET_MILEAGE_UNIT, type FeedItem } from '../service/feed.js';
import { dealerFeed } from '../service/feed-export.js';
import { startService } from '../service/server.js';
import { newApiToken, hashApiToken } from '../service/tokens.js';
import { openDatabase, type Database } from '../store/database.js';
import { insertDealer, listDealers } from '../store/dealers.repository.js';
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
  const db = await openUnlessServed(config, log);
  if (db === null) return viaServe(command, readServeFile(config.dataDir)!);
  try {
    if (command.kind === 'dealers-add') {
      const token = newApiToken();
      printDealerAdded(await insertDealer(db, command.name, hashApiToken(token)), token);
      return 0;
    }
    if (command.kind === 'dealers-list') {
      printDealers(await listDealers(db), command.json);
      return 0;
    }
    // Without a running serve its address is unknown: the configured public URL, else the default port.
    const base = config.service.publicUrl ?? `http://localhost:${config.service.port}`;
    printFeed(await dealerFeed(db, command, { base, defaultDays: config.editor.imageLinkDays, mileageUnit: MARKET_MILEAGE_UNIT[config.analysis.text.market] }), command.format);
    return 0;
  } finally {
    await db.close();
  }
}

type AdminCommand = Exclude<ServiceCommand, { kind: 'serve' | 'worker' }>;

/**
 * The database, or null when the embedded one is held by a running `serve` that takes admin calls.
 * Held by any other process (a worker, a `process` run), it fails with a one-line hint.
 */
async function openUnlessServed(config: Config, log: Logger): Promise<Database | null> {
  try {
    return await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }, { logger: log });
  } catch (error) {
    if (config.databaseUrl !== undefined || !isLotreelError(error, 'DATABASE_FAILED') || error.details?.holder === undefined) throw error;
    // The holder is the serve that wrote the file (a file left by a killed serve names another pid).
    const serve = readServeFile(config.dataDir);
    if (serve !== null && String(error.details.holder) === `pid ${serve.pid}`) return null;
    throw new LotreelError(
      'DATABASE_FAILED',
      `the embedded database at ${config.dataDir} is in use by another lotreel process (${String(error.details.holder)}): stop it and run this again, or run \`lotreel serve\` (these commands then go through it), or use PostgreSQL (DATABASE_URL)`,
      { cause: error, details: error.details },
    );
  }
}

/** The same command through the running serve: the same output. */
async function viaServe(command: AdminCommand, serve: ServeFile): Promise<number> {
  if (command.kind === 'dealers-add') {
    const added = await callServe<{ id: string; name: string; token: string }>(serve, 'POST', '/api/admin/dealers', { name: command.name });
    printDealerAdded(added, added.token);
  } else if (command.kind === 'dealers-list') {
    const dealers = await callServe<Array<{ id: string; name: string; createdAt: string }>>(serve, 'GET', '/api/admin/dealers');
    printDealers(dealers.map((d) => ({ ...d, createdAt: new Date(d.createdAt) })), command.json);
  } else {
    const query = new URLSearchParams({ dealer: command.dealer, ...(command.video !== undefined ? { video: command.video } : {}) });
    printFeed(await callServe<FeedItem[]>(serve, 'GET', `/api/admin/export?${query}`), command.format);
  }
  return 0;
}

function printDealerAdded(dealer: { id: string; name: string }, token: string): void {
  out(`dealer ${dealer.name} (${dealer.id}) added; its API token, shown only now:`);
  out(token);
}

function printDealers(dealers: Array<{ id: string; name: string; createdAt: Date }>, json: boolean): void {
  if (json) out(JSON.stringify(dealers, null, 2));
  else for (const d of dealers) out(`${d.id}\t${d.name}\t${d.createdAt.toISOString()}`);
}

function printFeed(items: FeedItem[], format: 'csv' | 'json'): void {
  process.stdout.write(format === 'csv' ? feedCsv(items) : JSON.stringify(items, null, 2) + '\n');
}
