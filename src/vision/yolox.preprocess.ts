/**
 * YOLOX input preparation (pure): letterbox an RGB24 frame into a planar float tensor slice.
 *
 * Follows the official YOLOX demo (`yolox/data/data_augment.py: preproc`): scale r = min(H/h, W/w),
 * resize to (int(w*r), int(h*r)) with bilinear interpolation (cv2.INTER_LINEAR, half-pixel centres),
 * place the image at the TOP-LEFT of the input and fill the rest with the pad value (114). No mean/std:
 * values stay 0..255. A box in input pixels maps back to the frame by dividing by r.
 */

export interface LetterboxGeometry {
  /** Scale from frame pixels to input pixels (r). */
  scale: number;
  /** Size of the resized image inside the input (top-left aligned). */
  resizedWidth: number;
  resizedHeight: number;
  inputWidth: number;
  inputHeight: number;
}

export type ChannelOrder = 'bgr' | 'rgb';

export interface PreprocessOptions {
  inputWidth: number;
  inputHeight: number;
  /** Value written to the padding (every channel). */
  padValue: number;
  /** Order of the three planes in the tensor. The frame is always RGB24. */
  channelOrder: ChannelOrder;
}

/** An RGB24 image: width * height * 3 bytes, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function letterboxGeometry(frameWidth: number, frameHeight: number, inputWidth: number, inputHeight: number): LetterboxGeometry {
  if (!(frameWidth > 0 && frameHeight > 0)) throw new RangeError(`invalid frame size ${frameWidth}x${frameHeight}`);
  const scale = Math.min(inputHeight / frameHeight, inputWidth / frameWidth);
  // Python int() truncates; guard against 415.99999 from floating point and against a 0-pixel side.
  const resizedWidth = Math.min(inputWidth, Math.max(1, Math.floor(frameWidth * scale + 1e-6)));
  const resizedHeight = Math.min(inputHeight, Math.max(1, Math.floor(frameHeight * scale + 1e-6)));
  return { scale, resizedWidth, resizedHeight, inputWidth, inputHeight };
}

/** Per output coordinate: the two source indices (premultiplied by `stride`) and the weight of the second. */
interface AxisTable {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float32Array;
}

function axisTable(srcSize: number, dstSize: number, stride: number): AxisTable {
  const i0 = new Int32Array(dstSize);
  const i1 = new Int32Array(dstSize);
  const w1 = new Float32Array(dstSize);
  const ratio = srcSize / dstSize;
  for (let d = 0; d < dstSize; d++) {
    // OpenCV INTER_LINEAR: half-pixel centres, clamped at the borders.
    let s = (d + 0.5) * ratio - 0.5;
    if (s < 0) s = 0;
    let a = Math.floor(s);
    if (a > srcSize - 1) a = srcSize - 1;
    const b = a + 1 < srcSize ? a + 1 : srcSize - 1;
    i0[d] = a * stride;
    i1[d] = b * stride;
    w1[d] = a === b ? 0 : s - a;
  }
  return { i0, i1, w1 };
}

/** Number of floats one frame takes in the input tensor. */
export function inputSliceLength(options: Pick<PreprocessOptions, 'inputWidth' | 'inputHeight'>): number {
  return 3 * options.inputWidth * options.inputHeight;
}

/**
 * Writes one frame, letterboxed, into `target` at `offset` as three planes (C, H, W) in
 * `channelOrder`, and returns the geometry to map boxes back.
 */
export function fillLetterboxedInput(frame: RgbImage, target: Float32Array, offset: number, options: PreprocessOptions): LetterboxGeometry {
  const { inputWidth: W, inputHeight: H, padValue } = options;
  if (frame.data.length < frame.width * frame.height * 3) {
    throw new RangeError(`frame data has ${frame.data.length} bytes, expected ${frame.width * frame.height * 3}`);
  }
  const plane = W * H;
  if (offset < 0 || offset + 3 * plane > target.length) throw new RangeError('target tensor too small for this frame');
  const geo = letterboxGeometry(frame.width, frame.height, W, H);
  const { resizedWidth: rw, resizedHeight: rh } = geo;
  // Plane offsets for R, G and B in the target.
  const bgr = options.channelOrder === 'bgr';
  const oR = offset + (bgr ? 2 : 0) * plane;
  const oG = offset + plane;
  const oB = offset + (bgr ? 0 : 2) * plane;

  const xs = axisTable(frame.width, rw, 3);
  const ys = axisTable(frame.height, rh, frame.width * 3);
  const src = frame.data;
  const { i0: x0, i1: x1, w1: wx } = xs;

  for (let y = 0; y < rh; y++) {
    const row0 = ys.i0[y];
    const row1 = ys.i1[y];
    const wy = ys.w1[y];
    let o = y * W;
    for (let x = 0; x < rw; x++, o++) {
      const a = row0 + x0[x];
      const b = row0 + x1[x];
      const c = row1 + x0[x];
      const d = row1 + x1[x];
      const fx = wx[x];
      // Horizontal then vertical interpolation: 3 multiplications per channel.
      let top = src[a] + (src[b] - src[a]) * fx;
      let bottom = src[c] + (src[d] - src[c]) * fx;
      target[oR + o] = top + (bottom - top) * wy;
      top = src[a + 1] + (src[b + 1] - src[a + 1]) * fx;
      bottom = src[c + 1] + (src[d + 1] - src[c + 1]) * fx;
      target[oG + o] = top + (bottom - top) * wy;
      top = src[a + 2] + (src[b + 2] - src[a + 2]) * fx;
      bottom = src[c + 2] + (src[d + 2] - src[c + 2]) * fx;
      target[oB + o] = top + (bottom - top) * wy;
    }
    if (rw < W) {
      const rowStart = y * W;
      target.fill(padValue, oR + rowStart + rw, oR + rowStart + W);
      target.fill(padValue, oG + rowStart + rw, oG + rowStart + W);
      target.fill(padValue, oB + rowStart + rw, oB + rowStart + W);
    }
  }
  if (rh < H) {
    target.fill(padValue, oR + rh * W, oR + plane);
    target.fill(padValue, oG + rh * W, oG + plane);
    target.fill(padValue, oB + rh * W, oB + plane);
  }
  return geo;
}
