// OpenCV's DNN module (Debian's libopencv-dnn-dev, 4.6) running an ONNX model, the executor a
// team without Gauntlet would reach for on this machine (ONNX Runtime is not packaged): the
// reference the ONNX runner is measured against. Built only when OpenCV is there.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace gauntlet::bench {

class OpenCvNet {
 public:
  // One thread (cv::setNumThreads), OpenCV's own CPU backend.
  explicit OpenCvNet(const std::string& model);
  ~OpenCvNet();
  OpenCvNet(const OpenCvNet&) = delete;
  OpenCvNet& operator=(const OpenCvNet&) = delete;

  // `batch` samples of [1, 28, 28] in, [batch, classes] out.
  void forward(const float* x, int64_t batch, float* out, int64_t classes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gauntlet::bench
