// Aligned, zero-initialised, movable byte buffers for the entry points' arguments and results
// (the ABI asks for 64-byte alignment). Allocated once and reused across steps: fresh large
// allocations are expensive on these machines.
#ifndef GNC_RUNTIME_BUFFERS_H
#define GNC_RUNTIME_BUFFERS_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

namespace gnc::rt {

class AlignedBuffer {
public:
  static constexpr size_t kAlignment = 64;

  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes) : size(bytes) {
    // aligned_alloc wants a multiple of the alignment; never allocate 0 bytes so that every
    // buffer (a scalar included) has a distinct, valid address.
    size_t rounded = ((bytes ? bytes : 1) + kAlignment - 1) / kAlignment * kAlignment;
    ptr = std::aligned_alloc(kAlignment, rounded);
    if (!ptr)
      throw std::bad_alloc();
    std::memset(ptr, 0, rounded);
  }
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  AlignedBuffer(AlignedBuffer &&o) noexcept : ptr(o.ptr), size(o.size) {
    o.ptr = nullptr;
    o.size = 0;
  }
  AlignedBuffer &operator=(AlignedBuffer &&o) noexcept {
    std::swap(ptr, o.ptr);
    std::swap(size, o.size);
    return *this;
  }
  ~AlignedBuffer() { std::free(ptr); }

  void *data() { return ptr; }
  const void *data() const { return ptr; }
  float *f32() { return static_cast<float *>(ptr); }
  const float *f32() const { return static_cast<const float *>(ptr); }
  int32_t *i32() { return static_cast<int32_t *>(ptr); }
  size_t bytes() const { return size; }
  size_t floats() const { return size / sizeof(float); }

private:
  void *ptr = nullptr;
  size_t size = 0;
};

// One buffer per state tensor, in the order of gnc_model_info's "state".
using StateBuffers = std::vector<AlignedBuffer>;

} // namespace gnc::rt

#endif
