// Node-API bindings. Sizes are checked here again, so a wrong call throws instead of reading or
// writing outside a buffer; src/vision/kernels.ts is the only caller.
#include <napi.h>

#include "kernels.h"

namespace {

using lotreel::CropQuality;

bool Fail(Napi::Env env, const char* message) {
  Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

struct Frame {
  const uint8_t* data;
  int width, height;
};

bool ReadFrame(const Napi::CallbackInfo& info, Frame* f) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    return Fail(env, "frame data must be a Uint8Array");
  auto data = info[0].As<Napi::Uint8Array>();
  f->width = info[1].As<Napi::Number>().Int32Value();
  f->height = info[2].As<Napi::Number>().Int32Value();
  if (f->width <= 0 || f->height <= 0) return Fail(env, "invalid frame size");
  if (data.ByteLength() < static_cast<size_t>(f->width) * f->height * 3) return Fail(env, "frame data too short");
  f->data = data.Data();
  return true;
}

bool ReadTarget(const Napi::CallbackInfo& info, int index, size_t floats, float** out) {
  Napi::Env env = info.Env();
  if (!info[index].IsTypedArray() || info[index].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    return Fail(env, "target must be a Float32Array");
  auto target = info[index].As<Napi::Float32Array>();
  const double offset = info[index + 1].As<Napi::Number>().DoubleValue();
  if (!(offset >= 0) || offset + floats > target.ElementLength()) return Fail(env, "target tensor too small for this frame");
  *out = target.Data() + static_cast<size_t>(offset);
  return true;
}

// letterbox(data, width, height, target, offset, W, H, rw, rh, pad, bgr)
Napi::Value Letterbox(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Frame f;
  if (info.Length() < 11 || !ReadFrame(info, &f)) return env.Undefined();
  const int W = info[5].As<Napi::Number>().Int32Value(), H = info[6].As<Napi::Number>().Int32Value();
  const int rw = info[7].As<Napi::Number>().Int32Value(), rh = info[8].As<Napi::Number>().Int32Value();
  if (W <= 0 || H <= 0 || rw <= 0 || rh <= 0 || rw > W || rh > H) return Fail(env, "invalid letterbox size"), env.Undefined();
  float* dst;
  if (!ReadTarget(info, 3, static_cast<size_t>(3) * W * H, &dst)) return env.Undefined();
  lotreel::Letterbox(f.data, f.width, f.height, dst, W, H, rw, rh, info[9].As<Napi::Number>().FloatValue(), info[10].ToBoolean());
  return env.Undefined();
}

// clipTensor(data, width, height, target, offset, x, y, regionWidth, regionHeight, size, mean[3], std[3])
Napi::Value ClipTensor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Frame f;
  if (info.Length() < 12 || !ReadFrame(info, &f)) return env.Undefined();
  const int x = info[5].As<Napi::Number>().Int32Value(), y = info[6].As<Napi::Number>().Int32Value();
  const int rw = info[7].As<Napi::Number>().Int32Value(), rh = info[8].As<Napi::Number>().Int32Value();
  if (x < 0 || y < 0 || rw < 1 || rh < 1 || rw > f.width - x || rh > f.height - y) return Fail(env, "crop region outside the frame"), env.Undefined();
  const int S = info[9].As<Napi::Number>().Int32Value();
  if (S <= 0 || S > 4096) return Fail(env, "invalid CLIP input size"), env.Undefined();
  float* dst;
  if (!ReadTarget(info, 3, static_cast<size_t>(3) * S * S, &dst)) return env.Undefined();
  if (!info[10].IsArray() || !info[11].IsArray()) return Fail(env, "mean and std must be arrays"), env.Undefined();
  auto meanArray = info[10].As<Napi::Array>(), stdArray = info[11].As<Napi::Array>();
  double mean[3], stdev[3];
  for (uint32_t c = 0; c < 3; c++) {
    mean[c] = meanArray.Get(c).ToNumber().DoubleValue();
    stdev[c] = stdArray.Get(c).ToNumber().DoubleValue();
  }
  lotreel::ClipTensor(f.data, f.width, x, y, rw, rh, dst, S, mean, stdev);
  return env.Undefined();
}

// cropQuality(data, width, height, x1, y1, x2, y2, step) -> [laplacianVariance, meanLuma, clippedFraction]
Napi::Value CropQualityOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Frame f;
  if (info.Length() < 8 || !ReadFrame(info, &f)) return env.Undefined();
  const int x1 = info[3].As<Napi::Number>().Int32Value(), y1 = info[4].As<Napi::Number>().Int32Value();
  const int x2 = info[5].As<Napi::Number>().Int32Value(), y2 = info[6].As<Napi::Number>().Int32Value();
  const int step = info[7].As<Napi::Number>().Int32Value();
  if (x1 < 0 || y1 < 0 || x2 > f.width || y2 > f.height || step < 1) return Fail(env, "invalid crop"), env.Undefined();
  const CropQuality q = lotreel::MeasureCropQuality(f.data, f.width, x1, y1, x2, y2, step);
  auto out = Napi::Float64Array::New(env, 3);
  out[0] = q.laplacianVariance;
  out[1] = q.meanLuma;
  out[2] = q.clippedFraction;
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("letterbox", Napi::Function::New(env, Letterbox));
  exports.Set("clipTensor", Napi::Function::New(env, ClipTensor));
  exports.Set("cropQuality", Napi::Function::New(env, CropQualityOf));
  exports.Set("abi", Napi::Number::New(env, 2));
  return exports;
}

}  // namespace

NODE_API_MODULE(lotreel_native, Init)
