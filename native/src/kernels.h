// Per-frame kernels on RGB24 frames; the JavaScript twins in src/ define the exact semantics.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lotreel {

// YOLOX letterbox (src/vision/yolox.preprocess.ts): bilinear with half-pixel centres into the
// top-left rw x rh of a W x H input, pad elsewhere; planes in R,G,B or B,G,R order.
void Letterbox(const uint8_t* src, int width, int height, float* dst, int W, int H, int rw, int rh, float pad, bool bgr);

// CLIP (fillClipInput in src/vision/clip.preprocess.ts, bit for bit): the rw x rh region at (rx, ry) of
// a frame `width` pixels wide, PIL bicubic shortest side to S, centre crop, normalised planes.
void ClipTensor(const uint8_t* src, int width, int rx, int ry, int rw, int rh, float* dst, int S, const double mean[3], const double stdev[3]);

struct CropQuality {
  double laplacianVariance;
  double meanLuma;
  double clippedFraction;
};

// Sharpness and exposure of an integer rectangle (src/pipeline/image-stats.ts measureCropQuality).
CropQuality MeasureCropQuality(const uint8_t* src, int width, int x1, int y1, int x2, int y2, int step);

}  // namespace lotreel
