/** Finds ../shared (real media and model weights). Missing in CI is a loud failure, never a silent skip. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedRoot = resolve(projectRoot, '..', 'shared');

/** Absolute path of a file under ../shared; throws with a clear message if it is not there. */
export function sharedFile(relative: string): string {
  const file = join(sharedRoot, relative);
  if (!existsSync(file)) {
    throw new Error(`missing ${file}: the tests need ../shared beside the project root (see README "Tests")`);
  }
  return file;
}

export const yoloxModelDir = () => dirname(sharedFile('models/yolox_nano/yolox_nano.onnx'));
export const epflCar = (n: number) => sharedFile(`media/epfl-gims08/car0${n}.mp4`);
export const epflTruth = (n: number) => sharedFile(`media/epfl-gims08/car0${n}.json`);

/** Scratch folder for a test file, under the project (ignored by git), wiped by the caller. */
export function scratchDir(name: string): string {
  return join(projectRoot, '.lotreel-test', `${name}-${process.pid}-${Date.now()}`);
}
