/** One structured logger (JSON lines on stderr) with child scopes; silent below the configured level. */
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

export function createLogger(level: LogLevel, sink: LogSink = (line) => process.stderr.write(line + '\n'), scope: Record<string, unknown> = {}): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...scope, ...fields }));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (more) => createLogger(level, sink, { ...scope, ...more }),
  };
}

export const silentLogger: Logger = createLogger('silent');
