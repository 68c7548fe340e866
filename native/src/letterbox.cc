#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"

namespace lotreel {
namespace {

struct Axis {
  std::vector<int> i0, i1;
  std::vector<float> w1;
};

// OpenCV INTER_LINEAR source positions: half-pixel centres, clamped at the borders.
Axis MakeAxis(int srcSize, int dstSize, int stride) {
  Axis a;
  a.i0.resize(dstSize);
  a.i1.resize(dstSize);
  a.w1.resize(dstSize);
  const double ratio = static_cast<double>(srcSize) / dstSize;
  for (int d = 0; d < dstSize; d++) {
    double s = (d + 0.5) * ratio - 0.5;
    if (s < 0) s = 0;
    int lo = static_cast<int>(std::floor(s));
    if (lo > srcSize - 1) lo = srcSize - 1;
    const int hi = lo + 1 < srcSize ? lo + 1 : srcSize - 1;
    a.i0[d] = lo * stride;
    a.i1[d] = hi * stride;
    a.w1[d] = lo == hi ? 0.f : static_cast<float>(s - lo);
  }
  return a;
}

}  // namespace

void Letterbox(const uint8_t* src, int width, int height, float* dst, int W, int H, int rw, int rh, float pad, bool bgr) {
  const size_t plane = static_cast<size_t>(W) * H;
  float* outR = dst + (bgr ? 2 : 0) * plane;
  float* outG = dst + plane;
  float* outB = dst + (bgr ? 0 : 2) * plane;
  const Axis xs = MakeAxis(width, rw, 3);
  const Axis ys = MakeAxis(height, rh, width * 3);
  // Horizontally interpolated source rows as three planar rows each, reused while rows repeat, so the
  // vertical pass is a plain vectorisable blend per plane.
  const size_t n = static_cast<size_t>(rw);
  std::vector<float> top(3 * n), bottom(3 * n);
  int topRow = -1, bottomRow = -1;
  auto horizontal = [&](int rowOffset, float* out) {
    const uint8_t* row = src + rowOffset;
    float* r = out;
    float* g = out + n;
    float* b = out + 2 * n;
    for (int x = 0; x < rw; x++) {
      const uint8_t* p = row + xs.i0[x];
      const uint8_t* q = row + xs.i1[x];
      const float f = xs.w1[x];
      r[x] = p[0] + (q[0] - p[0]) * f;
      g[x] = p[1] + (q[1] - p[1]) * f;
      b[x] = p[2] + (q[2] - p[2]) * f;
    }
  };
  float* planes[3] = {outR, outG, outB};
  for (int y = 0; y < rh; y++) {
    if (ys.i0[y] != topRow) {
      if (ys.i0[y] == bottomRow) {
        std::swap(top, bottom);
        std::swap(topRow, bottomRow);
      } else {
        horizontal(ys.i0[y], top.data());
        topRow = ys.i0[y];
      }
    }
    if (ys.i1[y] != bottomRow) {
      horizontal(ys.i1[y], bottom.data());
      bottomRow = ys.i1[y];
    }
    const float wy = ys.w1[y];
    const size_t o = static_cast<size_t>(y) * W;
    for (int c = 0; c < 3; c++) {
      const float* t = top.data() + c * n;
      const float* b = bottom.data() + c * n;
      float* out = planes[c] + o;
      for (size_t x = 0; x < n; x++) out[x] = t[x] + (b[x] - t[x]) * wy;
      std::fill(out + rw, out + W, pad);
    }
  }
  const size_t done = static_cast<size_t>(rh) * W;
  std::fill(outR + done, outR + plane, pad);
  std::fill(outG + done, outG + plane, pad);
  std::fill(outB + done, outB + plane, pad);
}

}  // namespace lotreel
