import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/log.js';

describe('log records', () => {
  it('are one human line each in text format: level, message, then fields (quoted when they need it)', () => {
    const lines: string[] = [];
    const log = createLogger('info', (line) => lines.push(line), {}, 'text').child({ file: 'my car.mp4' });
    log.warn('LLM request failed; the template writes this listing text', { reason: 'timeout', status: 500, codes: ['A', 'B'] });
    log.debug('not shown');
    log.info('probed');
    expect(lines).toEqual([
      'warn  LLM request failed; the template writes this listing text (file="my car.mp4", reason=timeout, status=500, codes=["A","B"])',
      'info  probed (file="my car.mp4")',
    ]);
  });

  it('are JSON lines by default (for machines)', () => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line)).child({ job: 'j1' }).info('done', { cars: 2 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'done', job: 'j1', cars: 2 });
  });
});
