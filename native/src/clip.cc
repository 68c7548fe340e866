// CLIP input, bit for bit what fillClipInput in src/vision/clip.preprocess.ts computes: the same
// double arithmetic in the same order (no fused multiply-add: binding.gyp has -ffp-contract=off), so
// any change there must be made here too.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"

namespace lotreel {
namespace {

// PIL's bicubic kernel with a = -0.5.
double Bicubic(double x) {
  const double a = -0.5;
  const double t = std::fabs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

struct Taps {
  std::vector<int> start, count;
  // Normalised weights, maxTaps per output index.
  std::vector<double> weights;
  int maxTaps = 0;
};

// PIL's resampling coefficients for outputs [from, from + n) of an inSize -> outSize resize (taps() in JS).
Taps MakeTaps(int inSize, int64_t outSize, int64_t from, int n) {
  Taps t;
  const double scale = static_cast<double>(inSize) / static_cast<double>(outSize);
  const double filterScale = std::max(scale, 1.0);
  const double support = 2 * filterScale;
  t.maxTaps = static_cast<int>(std::ceil(support)) * 2 + 1;
  t.start.resize(n);
  t.count.resize(n);
  t.weights.assign(static_cast<size_t>(n) * t.maxTaps, 0.0);
  for (int k = 0; k < n; k++) {
    const double centre = (static_cast<double>(from + k) + 0.5) * scale;
    const int lo = std::max(static_cast<int>(centre - support + 0.5), 0);
    const int hi = std::min(static_cast<int>(centre + support + 0.5), inSize);
    double* w = t.weights.data() + static_cast<size_t>(k) * t.maxTaps;
    double sum = 0;
    for (int j = lo; j < hi; j++) {
      w[j - lo] = Bicubic((j - centre + 0.5) / filterScale);
      sum += w[j - lo];
    }
    if (sum != 0)
      for (int j = 0; j < hi - lo; j++) w[j] /= sum;
    t.start[k] = lo;
    t.count[k] = hi - lo;
  }
  return t;
}

// clip8 in JS: clamped to 0..255, rounded as Math.round (halves up). Once clamped, truncation is the
// floor and c - f is exact (std::floor(c + 0.5) would round 0.49999999999999994 up). Branch-free, so
// that it vectorises and does not mispredict.
inline int Clip8(double v) {
  const double c = std::min(std::max(v, 0.0), 255.0);
  const int f = static_cast<int>(c);
  return f + (c - f >= 0.5);
}

}  // namespace

void ClipTensor(const uint8_t* src, int width, int rx, int ry, int rw, int rh, float* dst, int S, const double mean[3], const double stdev[3]) {
  // Shortest side of the region to S (long side truncated), centre crop: clipResizedSize in JS.
  const int64_t outW = rw <= rh ? S : static_cast<int64_t>(static_cast<double>(S) * rw / rh);
  const int64_t outH = rw <= rh ? static_cast<int64_t>(static_cast<double>(S) * rh / rw) : S;
  const Taps horizontal = MakeTaps(rw, outW, (outW - S) / 2, S);
  const Taps vertical = MakeTaps(rh, outH, (outH - S) / 2, S);

  // Horizontal pass over the source rows the vertical pass reads, rounded to 8 bits as PIL does. Four
  // rows at a time, with the pixels of a column side by side as doubles: each output is then 12
  // independent sums (each still adding its taps in order), vectorised (omp simd: binding.gyp's
  // -fopenmp-simd, no OpenMP runtime; each lane does the scalar arithmetic).
  const int rowFrom = vertical.start[0];
  const int rows = vertical.start[S - 1] + vertical.count[S - 1] - rowFrom;
  const int colFrom = horizontal.start[0];
  const int cols = horizontal.start[S - 1] + horizontal.count[S - 1] - colFrom;
  const size_t line = static_cast<size_t>(S) * 3;
  std::vector<uint8_t> mid(static_cast<size_t>(rows) * line);
  constexpr int kRows = 4, kLanes = kRows * 3;
  std::vector<double> strip(static_cast<size_t>(cols) * kLanes);
  for (int r0 = 0; r0 < rows; r0 += kRows) {
    // Spare lanes of a last, partial strip hold earlier rows (or zeros): summed, never stored.
    const int n = std::min(kRows, rows - r0);
    for (int b = 0; b < n; b++) {
      const uint8_t* p = src + (static_cast<size_t>(ry + rowFrom + r0 + b) * width + rx + colFrom) * 3;
      for (int x = 0; x < cols; x++)
        for (int c = 0; c < 3; c++) strip[static_cast<size_t>(x) * kLanes + b * 3 + c] = p[x * 3 + c];
    }
    for (int k = 0; k < S; k++) {
      const double* t = strip.data() + static_cast<size_t>(horizontal.start[k] - colFrom) * kLanes;
      const double* w = horizontal.weights.data() + static_cast<size_t>(k) * horizontal.maxTaps;
      double acc[kLanes] = {};
      for (int j = 0, taps = horizontal.count[k]; j < taps; j++, t += kLanes)
#pragma omp simd
        for (int i = 0; i < kLanes; i++) acc[i] += t[i] * w[j];
      uint8_t rounded[kLanes];
      for (int i = 0; i < kLanes; i++) rounded[i] = static_cast<uint8_t>(Clip8(acc[i]));
      for (int b = 0; b < n; b++) std::copy_n(rounded + b * 3, 3, &mid[(r0 + b) * line + k * 3]);
    }
  }

  // Vertical pass, a whole output row at a time (each sum still adds its taps in order), then scaling
  // and normalisation into three planes.
  double scale[3], shift[3];
  for (int c = 0; c < 3; c++) {
    scale[c] = 1 / (255 * stdev[c]);
    shift[c] = mean[c] / stdev[c];
  }
  const size_t plane = static_cast<size_t>(S) * S;
  std::vector<double> acc(line);
  for (int k = 0; k < S; k++) {
    std::fill(acc.begin(), acc.end(), 0.0);
    const uint8_t* m = mid.data() + static_cast<size_t>(vertical.start[k] - rowFrom) * line;
    const double* w = vertical.weights.data() + static_cast<size_t>(k) * vertical.maxTaps;
    for (int j = 0, n = vertical.count[k]; j < n; j++, m += line) {
      for (size_t i = 0; i < line; i++) acc[i] += m[i] * w[j];
    }
    float* o = dst + static_cast<size_t>(k) * S;
    for (int x = 0; x < S; x++) {
      o[x] = static_cast<float>(Clip8(acc[x * 3]) * scale[0] - shift[0]);
      o[x + plane] = static_cast<float>(Clip8(acc[x * 3 + 1]) * scale[1] - shift[1]);
      o[x + 2 * plane] = static_cast<float>(Clip8(acc[x * 3 + 2]) * scale[2] - shift[2]);
    }
  }
}

}  // namespace lotreel
