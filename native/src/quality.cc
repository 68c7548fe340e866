#include <vector>

#include "kernels.h"

namespace lotreel {
namespace {
inline double Luma(const uint8_t* p) { return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]; }
}  // namespace

CropQuality MeasureCropQuality(const uint8_t* d, int width, int x1, int y1, int x2, int y2, int step) {
  const long stride = static_cast<long>(width) * 3;
  double lapSum = 0, lapSq = 0, lumaSum = 0;
  long n = 0, clipped = 0;
  auto add = [&](double c, double lap) {
    lapSum += lap;
    lapSq += lap * lap;
    lumaSum += c;
    if (c <= 4 || c >= 251) clipped++;
    n++;
  };
  if (step == 1 && x2 - x1 >= 3) {
    // Every pixel: luma once per pixel in three rolling rows (same doubles as computing it per use).
    const int w = x2 - x1;
    std::vector<double> rows(3 * static_cast<size_t>(w));
    auto fill = [&](int y, double* out) {
      const uint8_t* p = d + y * stride + x1 * 3;
      for (int x = 0; x < w; x++, p += 3) out[x] = Luma(p);
    };
    double* above = rows.data();
    double* mid = above + w;
    double* below = mid + w;
    if (y1 + 1 < y2 - 1) {
      fill(y1, above);
      fill(y1 + 1, mid);
    }
    for (int y = y1 + 1; y < y2 - 1; y++) {
      fill(y + 1, below);
      for (int x = 1; x < w - 1; x++) {
        const double c = mid[x];
        add(c, mid[x - 1] + mid[x + 1] + above[x] + below[x] - 4 * c);
      }
      double* t = above;
      above = mid;
      mid = below;
      below = t;
    }
  } else {
    // The Laplacian uses direct neighbours (not `step` apart) so it measures detail at the frame's own scale.
    for (int y = y1 + 1; y < y2 - 1; y += step) {
      for (int x = x1 + 1; x < x2 - 1; x += step) {
        const uint8_t* p = d + y * stride + x * 3;
        const double c = Luma(p);
        add(c, Luma(p - 3) + Luma(p + 3) + Luma(p - stride) + Luma(p + stride) - 4 * c);
      }
    }
  }
  if (n == 0) return {0, 0, 1};
  const double mean = lapSum / n;
  return {lapSq / n - mean * mean, lumaSum / n / 255, static_cast<double>(clipped) / n};
}

}  // namespace lotreel
