/** One progress bar per stage on a terminal: the current stage redraws in place, finished ones stay. */
import type { ProgressEvent } from '../core/progress.js';

const LABELS: Record<ProgressEvent['stage'], string> = {
  probe: 'probe', decode: 'analyse', detect: 'detect', segment: 'split', photos: 'photos', clips: 'clips', store: 'store',
  text: 'text',
};
const WIDTH = 28;

export function renderBar(event: ProgressEvent): string {
  const share = event.total > 0 ? Math.min(1, event.done / event.total) : 1;
  const filled = Math.round(share * WIDTH);
  return `${LABELS[event.stage].padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}%`;
}

export function createProgressBars(stream: NodeJS.WriteStream): {
  update: (e: ProgressEvent) => void;
  finish: () => void;
  print: (line: string) => void;
  say: (line: string) => void;
} {
  /** The latest event of the stage on screen, and whether it has been drawn (redraws are throttled). */
  let current: ProgressEvent | null = null;
  let drawn = false;
  let lastDraw = 0;
  /** Lines to print once the bar on screen is finished, so they never land inside it. */
  let pending: string[] = [];
  const flush = () => {
    for (const line of pending) stream.write(line + '\n');
    pending = [];
  };
  const draw = (event: ProgressEvent) => {
    stream.write(`\r${renderBar(event)}`);
    lastDraw = Date.now();
  };
  return {
    update(event) {
      if (current && event.stage !== current.stage) {
        // The pipeline's stages run one after another: a new stage means the previous one is complete
        // (the decode stage reports the last frame's time, which is short of the video's duration).
        if (!drawn || current.done < current.total) draw({ ...current, done: Math.max(current.done, current.total) });
        stream.write('\n');
        flush();
      } else if (current && Date.now() - lastDraw < 100 && event.done < event.total) {
        current = event;
        drawn = false;
        return; // redraw at most ten times a second
      }
      current = event;
      draw(event);
      drawn = true;
    },
    finish() {
      if (!current) return flush();
      if (!drawn) draw(current); // the latest state of an unfinished stage (on error or abort)
      stream.write('\n');
      current = null;
      flush();
    },
    print(line) {
      if (current) pending.push(line);
      else stream.write(line + '\n');
    },
    /** A line for people now: written over the bar on screen (cleared first), which is drawn again below it. */
    say(line) {
      stream.write(`\r\x1b[2K${line}\n`);
      if (current) draw(current);
    },
  };
}
