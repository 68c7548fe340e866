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
