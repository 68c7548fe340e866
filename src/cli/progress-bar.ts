/** One progress bar per stage on a terminal: the current stage redraws in place, finished ones stay. */
import type { ProgressEvent } from '../progress.js';

const LABELS: Record<ProgressEvent['stage'], string> = {
  probe: 'probe', decode: 'analyse', detect: 'detect', segment: 'split', photos: 'photos', clips: 'clips', store: 'store',
};
const WIDTH = 28;

export function renderBar(event: ProgressEvent): string {
  const share = event.total > 0 ? Math.min(1, event.done / event.total) : 1;
  const filled = Math.round(share * WIDTH);
  return `${LABELS[event.stage].padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}%`;
}

export function createProgressBars(stream: NodeJS.WriteStream): { update: (e: ProgressEvent) => void; finish: () => void } {
  let current: ProgressEvent['stage'] | null = null;
  let lastDraw = 0;
  return {
    update(event) {
      const now = Date.now();
      if (event.stage !== current) {
        if (current) stream.write('\n');
        current = event.stage;
      } else if (now - lastDraw < 100 && event.done < event.total) {
        return; // redraw at most ten times a second
      }
      lastDraw = now;
      stream.write(`\r${renderBar(event)}`);
    },
    finish() {
      if (current) stream.write('\n');
      current = null;
    },
  };
}
