#include "opencv_net.hpp"

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <cstring>
#include <stdexcept>

namespace gauntlet::bench {

struct OpenCvNet::Impl {
  cv::dnn::Net net;
};

OpenCvNet::OpenCvNet(const std::string& model) : impl_(std::make_unique<Impl>()) {
  cv::setNumThreads(1);
  impl_->net = cv::dnn::readNetFromONNX(model);
  impl_->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  impl_->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
}

OpenCvNet::~OpenCvNet() = default;

void OpenCvNet::forward(const float* x, int64_t batch, float* out, int64_t classes) {
  const int sizes[4] = {static_cast<int>(batch), 1, 28, 28};
  // A header over the caller's data: OpenCV reads it in place, as the runner does.
  const cv::Mat blob(4, sizes, CV_32F, const_cast<float*>(x));
  impl_->net.setInput(blob);
  const cv::Mat y = impl_->net.forward();
  if (y.total() != static_cast<std::size_t>(batch * classes))
    throw std::runtime_error("OpenCV: unexpected output size");
  std::memcpy(out, y.ptr<float>(), y.total() * sizeof(float));
}

}  // namespace gauntlet::bench
