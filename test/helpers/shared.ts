/** Finds ../shared (real media and model weights). Missing in CI is a loud failure, never a silent skip. */
import { dirname, join } from 'node:path';
import { projectRoot, sharedFile } from '../../fixtures/paths.js';

export { projectRoot, sharedFile, sharedRoot } from '../../fixtures/paths.js';

export const yoloxModelDir = () => dirname(sharedFile('models/yolox_nano/yolox_nano.onnx'));
export const epflCar = (n: number) => sharedFile(`media/epfl-gims08/car0${n}.mp4`);
export const epflTruth = (n: number) => sharedFile(`media/epfl-gims08/car0${n}.json`);

/** Scratch folder for a test file, under the project (ignored by git), wiped by the caller. */
export function scratchDir(name: string): string {
  return join(projectRoot, '.lotreel-test', `${name}-${process.pid}-${Date.now()}`);
}
