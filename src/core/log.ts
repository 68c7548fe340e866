/**
 * One structured logger with child scopes; silent below the configured level. Records are JSON lines
 * for machines, or one human line each on a terminal (`text`): the level, the message, then its fields.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(scope: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;
export type LogFormat = 'json' | 'text';

const fieldText = (value: unknown): string => {
  if (typeof value === 'string') return /[\s"=,()]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return value instanceof Error ? JSON.stringify(value.message) : (JSON.stringify(value) ?? String(value));
};

/** A record as one line for people: `warn  message (key=value, …)`; the time is the terminal's business. */
export function textLogLine(at: Exclude<LogLevel, 'silent'>, msg: string, fields: Record<string, unknown>): string {
  const parts = Object.entries(fields).filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${fieldText(value)}`);
  return `${at.padEnd(5)} ${msg}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

export function createLogger(
  level: LogLevel,
  sink: LogSink = (line) => process.stderr.write(line + '\n'),
  scope: Record<string, unknown> = {},
  format: LogFormat = 'json',
): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    sink(format === 'text' ? textLogLine(at, msg, { ...scope, ...fields }) : JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...scope, ...fields }));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (more) => createLogger(level, sink, { ...scope, ...more }, format),
  };
}

export const silentLogger: Logger = createLogger('silent');
