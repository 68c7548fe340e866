#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"

namespace lotreel {
namespace {

double Bicubic(double x) {
  const double a = -0.5;
  x = std::fabs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

struct Taps {
  std::vector<int> start, count;
  std::vector<float> weights;
  int width = 0;
};

// PIL's precompute_coeffs (antialiased bicubic), for outputs first..first+n-1 only; weights sum to 1.
Taps MakeTaps(int inSize, int outSize, int first, int n) {
  Taps t;
  const double scale = static_cast<double>(inSize) / outSize;
  const double filterScale = std::max(1.0, scale);
  const double support = 2 * filterScale;
  t.width = static_cast<int>(std::ceil(support)) * 2 + 1;
  t.start.resize(n);
  t.count.resize(n);
  t.weights.assign(static_cast<size_t>(n) * t.width, 0.f);
  std::vector<double> raw(t.width);
  for (int k = 0; k < n; k++) {
    const double center = (first + k + 0.5) * scale;
    const int xmin = std::max(0, static_cast<int>(center - support + 0.5));
    const int xmax = std::min(inSize, static_cast<int>(center + support + 0.5)) - xmin;
    double sum = 0;
    for (int x = 0; x < xmax; x++) {
      raw[x] = Bicubic((x + xmin - center + 0.5) / filterScale);
      sum += raw[x];
    }
    for (int x = 0; x < xmax; x++) t.weights[static_cast<size_t>(k) * t.width + x] = static_cast<float>(sum != 0 ? raw[x] / sum : raw[x]);
    t.start[k] = xmin;
    t.count[k] = xmax;
  }
  return t;
}

// acc[i] += k * p[i]: the inner loop of the vertical pass, where nearly all the time goes. On x86-64
// it is also compiled for AVX2 and picked at load time (same arithmetic: no fused multiply-add).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void AccumulateRow(float* __restrict acc, const uint8_t* __restrict p, float k, size_t n) {
  for (size_t i = 0; i < n; i++) acc[i] += k * p[i];
}

}  // namespace

void ClipTensor(const uint8_t* src, int width, int height, float* dst, int S, const double mean[3], const double stdev[3]) {
  // Shortest side to S (long side truncated), centre crop: as clipCropGeometry in clip-tensor.ts.
  const int rw = width <= height ? S : std::max(S, static_cast<int>(static_cast<double>(S) * width / height));
  const int rh = width <= height ? std::max(S, static_cast<int>(static_cast<double>(S) * height / width)) : S;
  const Taps xs = MakeTaps(width, rw, (rw - S) >> 1, S);
  const Taps ys = MakeTaps(height, rh, (rh - S) >> 1, S);
  // Source columns the horizontal taps reach; the vertical pass works on those only.
  const int colFirst = xs.start[0];
  const size_t span = static_cast<size_t>(xs.start[S - 1] + xs.count[S - 1] - colFirst) * 3;
  std::vector<float> row(span);
  float scale[3], bias[3];
  for (int c = 0; c < 3; c++) {
    scale[c] = static_cast<float>(1 / (255 * stdev[c]));
    bias[c] = static_cast<float>(-mean[c] / stdev[c]);
  }
  const size_t plane = static_cast<size_t>(S) * S;
  for (int y = 0; y < S; y++) {
    // Vertical first, as contiguous multiply-adds over whole rows (vectorised by the compiler).
    std::fill(row.begin(), row.end(), 0.f);
    float* acc = row.data();
    const float* ky = ys.weights.data() + static_cast<size_t>(y) * ys.width;
    for (int t = 0; t < ys.count[y]; t++) {
      AccumulateRow(acc, src + (static_cast<size_t>(ys.start[y] + t) * width + colFirst) * 3, ky[t], span);
    }
    float* o = dst + static_cast<size_t>(y) * S;
    for (int x = 0; x < S; x++) {
      const float* kx = xs.weights.data() + static_cast<size_t>(x) * xs.width;
      const float* p = acc + static_cast<size_t>(xs.start[x] - colFirst) * 3;
      float r = 0, g = 0, b = 0;
      for (int t = 0, n = xs.count[x]; t < n; t++, p += 3) {
        r += kx[t] * p[0];
        g += kx[t] * p[1];
        b += kx[t] * p[2];
      }
      // Clamped like PIL's 8-bit output, then scaled and normalised.
      o[x] = std::min(255.f, std::max(0.f, r)) * scale[0] + bias[0];
      o[x + plane] = std::min(255.f, std::max(0.f, g)) * scale[1] + bias[1];
      o[x + 2 * plane] = std::min(255.f, std::max(0.f, b)) * scale[2] + bias[2];
    }
  }
}

}  // namespace lotreel
