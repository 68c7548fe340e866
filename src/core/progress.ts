/** Stages report progress through one callback; a listener's exception never breaks the pipeline. */
export type Stage = 'probe' | 'decode' | 'detect' | 'segment' | 'photos' | 'clips' | 'text' | 'store';

export interface ProgressEvent {
  stage: Stage;
  done: number;
  total: number;
}

export type ProgressListener = (event: ProgressEvent) => void;

export function safeProgress(listener: ProgressListener | undefined): ProgressListener {
  return (event) => {
    if (!listener) return;
    try {
      listener(event);
    } catch {
      // A broken progress display must not fail a video that is otherwise processing fine.
    }
  };
}

/**
 * A stage whose work overlaps an earlier stage's but that is shown after it: its progress is held
 * until `show`, then the latest event (or `initial`) is passed on, and everything after it.
 */
export function heldStage(progress: ProgressListener): { report: ProgressListener; show(initial: ProgressEvent): void } {
  let latest: ProgressEvent | null = null;
  let shown = false;
  return {
    report(event) {
      latest = event;
      if (shown) progress(event);
    },
    show(initial) {
      shown = true;
      progress(latest ?? initial);
    },
  };
}
