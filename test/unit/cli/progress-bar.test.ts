import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBars } from '../../../src/cli/progress-bar.js';

function terminal() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('progress bars and log lines', () => {
  it('prints a log line after the bar on screen, never inside it', async () => {
    const t = terminal();
    const bars = createProgressBars(t.stream);
    bars.update({ stage: 'probe', done: 0, total: 1 });
    bars.print('{"level":"warn","msg":"CLIP weights not found"}');
    bars.update({ stage: 'probe', done: 1, total: 1 });
    bars.update({ stage: 'decode', done: 5, total: 10 });
    bars.finish();
    bars.print('after');
    await new Promise((r) => setImmediate(r));
    const lines = t.text().split('\n');
    expect(lines[0]).toMatch(/^\rprobe +\[\.+\] +0%\rprobe +\[#+\] 100%$/);
    expect(lines[1]).toBe('{"level":"warn","msg":"CLIP weights not found"}');
    expect(lines[2]).toMatch(/^\ranalyse +\[#+\.+\] +50%$/);
    expect(lines[3]).toBe('after');
  });

  it('prints at once when no bar is on screen', async () => {
    const t = terminal();
    createProgressBars(t.stream).print('hello');
    await new Promise((r) => setImmediate(r));
    expect(t.text()).toBe('hello\n');
  });
});
