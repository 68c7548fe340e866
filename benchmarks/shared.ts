/** ../shared (models and media) beside the package root, found from this file wherever it runs from. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findShared(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, '..', 'shared');
    if (existsSync(join(candidate, 'models', 'yolox_nano', 'yolox_nano.onnx'))) return resolve(candidate);
    dir = dirname(dir);
  }
  throw new Error('cannot find ../shared with models/yolox_nano/yolox_nano.onnx');
}
