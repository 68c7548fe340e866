/**
 * Named points in the shells' publish-and-commit sequence. Inert in production: a test may install a
 * hook (through a preload module, before lotreel starts) that stops the process at one of them, to
 * prove that a crash at any point leaves a complete result, old or new.
 */
const HOOK = Symbol.for('lotreel.checkpoint');

type CheckpointHook = (name: string) => void;

export function checkpoint(name: string): void {
  const hook = (globalThis as { [HOOK]?: CheckpointHook })[HOOK];
  hook?.(name);
}
