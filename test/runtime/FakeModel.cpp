// TEST CODE standing in for the object file that gnc generates. It hand-writes the runtime ABI
// (runtime/GncAbi.h) for a tiny linear autoencoder on MNIST-shaped input, so that the runtime
// can be tested end to end (test/runtime/fake-model-e2e.py) without the compiler:
//   batch 16, x: [16, 28, 28, 1];  z = x W1 + b1 (4-d);  xhat = z W2 + b2
//   losses: loss = mean((xhat - x)^2), latent_norm = mean(z^2) (reported, not minimized)
//   sgd(lr=0.05, momentum=0.9) on W1, b1, W2, b2; state = parameters, momenta, opt0.step
//   sample generate(): decode(normal([16, 4]));  sample reconstruct(x): decode(encode(x))
//   for apply/encode/manifold: encode(x) -> z[:, 0:2] [16, 2]; decode(c [16, 2]) -> images of
//   the code (c0, c1, 0, 0); code4(x) -> z [16, 4]; flip(c [16, 2]) -> (c1, c0) [16, 2];
//   score(x) -> each image's squared reconstruction error [16]; jitter(x) -> z[:, 0:2] +
//   0.01 normal(key) (the only one of them that uses its key)
// Built twice: gnc-fake-model, and with FAKE_VARIANT_B gnc-fake-model-b (another model name and
// hash, no generate/reconstruct, an `encode` with 4-d codes) for the "checkpoint of another
// model", "no procedure" and "--scatter needs 2-D codes" errors.
// Test hooks (environment): GNC_FAKE_NAN_AT_STEP=S makes the loss of training step S (1-based)
// NaN; GNC_FAKE_NAN_IF_MARKED=1 makes it NaN when an image of the batch has a white first
// pixel (to prove that --exclude-label keeps marked images out); GNC_FAKE_SLEEP_MS=N sleeps N
// ms in every train step (to interrupt a run).
#include "runtime/GncAbi.h"

#include "dialects/gn/Philox.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <thread>

namespace {

constexpr int B = 16, D = 28 * 28, K = 4;
constexpr float LR = 0.05f, MOMENTUM = 0.9f;

// State order (as in gnc_model_info below).
enum { W1, B1, W2, B2, MW1, MB1, MW2, MB2, STEP, NUM_STATE };
constexpr int kSizes[NUM_STATE] = {D * K, K, K * D, D, D * K, K, K * D, D, 1};

using gn::philox::Key;

Key keyOf(void *buffer) {
  const int32_t *k = static_cast<const int32_t *>(buffer);
  return {(uint32_t)k[0], (uint32_t)k[1]};
}

void encode(const float *x, const float *w1, const float *b1, float *z) {
  for (int b = 0; b < B; ++b)
    for (int k = 0; k < K; ++k) {
      float s = b1[k];
      for (int d = 0; d < D; ++d)
        s += x[b * D + d] * w1[d * K + k];
      z[b * K + k] = s;
    }
}

void decode(const float *z, const float *w2, const float *b2, float *xhat) {
  for (int b = 0; b < B; ++b)
    for (int d = 0; d < D; ++d) {
      float s = b2[d];
      for (int k = 0; k < K; ++k)
        s += z[b * K + k] * w2[k * D + d];
      xhat[b * D + d] = s;
    }
}

// init: (key) -> state
void entryInit(void **buffers) {
  Key key = keyOf(buffers[0]);
  float **state = reinterpret_cast<float **>(buffers + 1);
  for (int t = 0; t < NUM_STATE; ++t)
    std::memset(state[t], 0, sizeof(float) * kSizes[t]);
  for (int i = 0; i < D * K; ++i)
    state[W1][i] = gn::philox::uniform(key, (uint64_t)i, 1, -0.05f, 0.05f);
  for (int i = 0; i < K * D; ++i)
    state[W2][i] = gn::philox::uniform(key, (uint64_t)i, 2, -0.5f, 0.5f);
}

// step: (x, key, state...) -> (loss, latent_norm, new state...)
void entryStep(void **buffers) {
  const float *x = static_cast<const float *>(buffers[0]);
  float *const *in = reinterpret_cast<float *const *>(buffers + 2);
  float *loss = static_cast<float *>(buffers[2 + NUM_STATE]);
  float *latentNorm = static_cast<float *>(buffers[3 + NUM_STATE]);
  float *const *out = reinterpret_cast<float *const *>(buffers + 4 + NUM_STATE);

  static float z[B * K], xhat[B * D], g[B * D], dz[B * K];
  encode(x, in[W1], in[B1], z);
  decode(z, in[W2], in[B2], xhat);
  double l = 0, zn = 0;
  for (int i = 0; i < B * D; ++i) {
    float e = xhat[i] - x[i];
    l += (double)e * e;
    g[i] = 2.0f * e / (float)(B * D);
  }
  for (int i = 0; i < B * K; ++i)
    zn += (double)z[i] * z[i];
  *loss = (float)(l / (B * D));
  *latentNorm = (float)(zn / (B * K));
  float step = in[STEP][0] + 1.0f;
  if (const char *nan = std::getenv("GNC_FAKE_NAN_AT_STEP"); nan && std::atof(nan) == step)
    *loss = std::numeric_limits<float>::quiet_NaN();
  if (std::getenv("GNC_FAKE_NAN_IF_MARKED"))
    for (int b = 0; b < B; ++b)
      if (x[b * D] == 1.0f)
        *loss = std::numeric_limits<float>::quiet_NaN();
  if (const char *ms = std::getenv("GNC_FAKE_SLEEP_MS"))
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(ms)));

  for (int i = 0; i < B * K; ++i)
    dz[i] = 0;
  for (int b = 0; b < B; ++b)
    for (int k = 0; k < K; ++k) {
      float s = 0;
      for (int d = 0; d < D; ++d)
        s += g[b * D + d] * in[W2][k * D + d];
      dz[b * K + k] = s;
    }
  // Gradients, then momentum and the update, tensor by tensor.
  auto update = [&](int param, int mom, int i, float grad) {
    float m = MOMENTUM * in[mom][i] + grad;
    out[mom][i] = m;
    out[param][i] = in[param][i] - LR * m;
  };
  for (int k = 0; k < K; ++k)
    for (int d = 0; d < D; ++d) {
      float s = 0;
      for (int b = 0; b < B; ++b)
        s += z[b * K + k] * g[b * D + d];
      update(W2, MW2, k * D + d, s);
    }
  for (int d = 0; d < D; ++d) {
    float s = 0;
    for (int b = 0; b < B; ++b)
      s += g[b * D + d];
    update(B2, MB2, d, s);
  }
  for (int d = 0; d < D; ++d)
    for (int k = 0; k < K; ++k) {
      float s = 0;
      for (int b = 0; b < B; ++b)
        s += x[b * D + d] * dz[b * K + k];
      update(W1, MW1, d * K + k, s);
    }
  for (int k = 0; k < K; ++k) {
    float s = 0;
    for (int b = 0; b < B; ++b)
      s += dz[b * K + k];
    update(B1, MB1, k, s);
  }
  out[STEP][0] = step;
}

#ifndef FAKE_VARIANT_B
// generate: (key, state...) -> (images)
void entryGenerate(void **buffers) {
  Key key = keyOf(buffers[0]);
  float *const *state = reinterpret_cast<float *const *>(buffers + 1);
  float *images = static_cast<float *>(buffers[1 + NUM_STATE]);
  float z[B * K];
  for (int i = 0; i < B * K; ++i)
    z[i] = gn::philox::normal(key, (uint64_t)i, 7, 0.0f, 1.0f);
  decode(z, state[W2], state[B2], images);
}

// reconstruct: (x, key, state...) -> (images)
void entryReconstruct(void **buffers) {
  const float *x = static_cast<const float *>(buffers[0]);
  float *const *state = reinterpret_cast<float *const *>(buffers + 2);
  float *images = static_cast<float *>(buffers[2 + NUM_STATE]);
  float z[B * K];
  encode(x, state[W1], state[B1], z);
  decode(z, state[W2], state[B2], images);
}

// Sample procedures with an input: (in, key, state...) -> (out).
struct WithInput {
  const float *in;
  Key key;
  float *const *state;
  float *out;
  explicit WithInput(void **buffers)
      : in(static_cast<const float *>(buffers[0])), key(keyOf(buffers[1])),
        state(reinterpret_cast<float *const *>(buffers + 2)),
        out(static_cast<float *>(buffers[2 + NUM_STATE])) {}
};

void entryEncode2(void **buffers) {
  WithInput a(buffers);
  float z[B * K];
  encode(a.in, a.state[W1], a.state[B1], z);
  for (int b = 0; b < B; ++b)
    for (int k = 0; k < 2; ++k)
      a.out[b * 2 + k] = z[b * K + k];
}

void entryDecode2(void **buffers) {
  WithInput a(buffers);
  float z[B * K] = {};
  for (int b = 0; b < B; ++b)
    for (int k = 0; k < 2; ++k)
      z[b * K + k] = a.in[b * 2 + k];
  decode(z, a.state[W2], a.state[B2], a.out);
}

void entryCode4(void **buffers) {
  WithInput a(buffers);
  encode(a.in, a.state[W1], a.state[B1], a.out);
}

void entryFlip(void **buffers) {
  WithInput a(buffers);
  for (int b = 0; b < B; ++b) {
    a.out[b * 2] = a.in[b * 2 + 1];
    a.out[b * 2 + 1] = a.in[b * 2];
  }
}

void entryScore(void **buffers) {
  WithInput a(buffers);
  float z[B * K], xhat[B * D];
  encode(a.in, a.state[W1], a.state[B1], z);
  decode(z, a.state[W2], a.state[B2], xhat);
  for (int b = 0; b < B; ++b) {
    double s = 0;
    for (int d = 0; d < D; ++d)
      s += (double)(xhat[b * D + d] - a.in[b * D + d]) * (xhat[b * D + d] - a.in[b * D + d]);
    a.out[b] = (float)s;
  }
}

void entryJitter(void **buffers) {
  entryEncode2(buffers);
  WithInput a(buffers);
  for (int i = 0; i < B * 2; ++i)
    a.out[i] += gn::philox::normal(a.key, (uint64_t)i, 9, 0.0f, 0.01f);
}
#endif

} // namespace

#define FAKE_STATE                                                                              \
  "\"state\":["                                                                                 \
  "{\"name\":\"enc.dense_0.weight\",\"shape\":[784,4],\"trainable\":true},"                    \
  "{\"name\":\"enc.dense_0.bias\",\"shape\":[4],\"trainable\":true},"                          \
  "{\"name\":\"dec.dense_0.weight\",\"shape\":[4,784],\"trainable\":true},"                    \
  "{\"name\":\"dec.dense_0.bias\",\"shape\":[784],\"trainable\":true},"                        \
  "{\"name\":\"opt0.enc.dense_0.weight.m\",\"shape\":[784,4],\"trainable\":false},"            \
  "{\"name\":\"opt0.enc.dense_0.bias.m\",\"shape\":[4],\"trainable\":false},"                  \
  "{\"name\":\"opt0.dec.dense_0.weight.m\",\"shape\":[4,784],\"trainable\":false},"            \
  "{\"name\":\"opt0.dec.dense_0.bias.m\",\"shape\":[784],\"trainable\":false},"                \
  "{\"name\":\"opt0.step\",\"shape\":[],\"trainable\":false}],"

#ifndef FAKE_VARIANT_B
extern "C" const char gnc_model_info[] =
    "{\"model\":\"fake_ae\",\"batch\":16,\"dataset\":\"mnist\",\"input\":\"x\","
    "\"input_shape\":[16,28,28,1],\"model_hash\":\"fa4e0000000000a1\",\"backend\":\"fake\","
    "\"build_flags\":\"hand-written test model (test/runtime/FakeModel.cpp)\"," FAKE_STATE
    "\"entries\":["
    "{\"name\":\"init\",\"kind\":\"init\",\"symbol\":\"gnc_entry_init\"},"
    "{\"name\":\"step\",\"kind\":\"train\",\"symbol\":\"gnc_entry_step\","
    "\"losses\":[\"loss\",\"latent_norm\"]},"
    "{\"name\":\"generate\",\"kind\":\"sample\",\"symbol\":\"gnc_entry_generate\","
    "\"takes_input\":false,\"output_shape\":[16,28,28,1]},"
    "{\"name\":\"reconstruct\",\"kind\":\"sample\",\"symbol\":\"gnc_entry_reconstruct\","
    "\"takes_input\":true,\"output_shape\":[16,28,28,1]},"
    "{\"name\":\"encode\",\"kind\":\"sample\",\"symbol\":\"gnc_entry_encode\","
    "\"takes_input\":true,\"input_shape\":[16,28,28,1],\"output_shape\":[16,2]},"
    "{\"name\":\"decode\",\"kind\":\"sample\",\"symbol\":\"gnc_entry_decode\","
    "\"takes_input\":true,\"input_shape\":[16,2],\"output_shape\":[16,28,28,1]},"
    "{\"name\":\"code4\",\"kind\":\"sample\",\"symbol\":\"gnc_entry_code4\","
    "\"takes_input\":true,\"output_shape\":[16,4]},"
    "{\"name\":\"flip\",\"kind\":\"sample\",\"symbol\":\"gnc_entry_flip\","
    "\"takes_input\":true,\"input_shape\":[16,2],\"output_shape\":[16,2]},"
    "{\"name\":\"score\",\"kind\":\"sample\",\"symbol\":\"gnc_entry_score\","
    "\"takes_input\":true,\"input_shape\":[16,28,28,1],\"output_shape\":[16]},"
    "{\"name\":\"jitter\",\"kind\":\"sample\",\"symbol\":\"gnc_entry_jitter\","
    "\"takes_input\":true,\"input_shape\":[16,28,28,1],\"output_shape\":[16,2]}]}";

extern "C" void gnc_entry_init(void **b) { entryInit(b); }
extern "C" void gnc_entry_step(void **b) { entryStep(b); }
extern "C" void gnc_entry_generate(void **b) { entryGenerate(b); }
extern "C" void gnc_entry_reconstruct(void **b) { entryReconstruct(b); }
extern "C" void gnc_entry_encode(void **b) { entryEncode2(b); }
extern "C" void gnc_entry_decode(void **b) { entryDecode2(b); }
extern "C" void gnc_entry_code4(void **b) { entryCode4(b); }
extern "C" void gnc_entry_flip(void **b) { entryFlip(b); }
extern "C" void gnc_entry_score(void **b) { entryScore(b); }
extern "C" void gnc_entry_jitter(void **b) { entryJitter(b); }

extern "C" const GncEntry gnc_entries[] = {{"gnc_entry_init", gnc_entry_init},
                                           {"gnc_entry_step", gnc_entry_step},
                                           {"gnc_entry_generate", gnc_entry_generate},
                                           {"gnc_entry_reconstruct", gnc_entry_reconstruct},
                                           {"gnc_entry_encode", gnc_entry_encode},
                                           {"gnc_entry_decode", gnc_entry_decode},
                                           {"gnc_entry_code4", gnc_entry_code4},
                                           {"gnc_entry_flip", gnc_entry_flip},
                                           {"gnc_entry_score", gnc_entry_score},
                                           {"gnc_entry_jitter", gnc_entry_jitter},
                                           {nullptr, nullptr}};
#else
// encode: (x, key, state...) -> (z [16, 4])
void entryCode4B(void **buffers) {
  const float *x = static_cast<const float *>(buffers[0]);
  float *const *state = reinterpret_cast<float *const *>(buffers + 2);
  encode(x, state[W1], state[B1], static_cast<float *>(buffers[2 + NUM_STATE]));
}

extern "C" const char gnc_model_info[] =
    "{\"model\":\"fake_ae_b\",\"batch\":16,\"dataset\":\"mnist\",\"input\":\"x\","
    "\"input_shape\":[16,28,28,1],\"model_hash\":\"fa4e0000000000b2\",\"backend\":\"fake\","
    "\"build_flags\":\"hand-written test model, variant B\"," FAKE_STATE
    "\"entries\":["
    "{\"name\":\"init\",\"kind\":\"init\",\"symbol\":\"gnc_entry_init\"},"
    "{\"name\":\"step\",\"kind\":\"train\",\"symbol\":\"gnc_entry_step\","
    "\"losses\":[\"loss\",\"latent_norm\"]},"
    "{\"name\":\"encode\",\"kind\":\"sample\",\"symbol\":\"gnc_entry_encode\","
    "\"takes_input\":true,\"output_shape\":[16,4]}]}";

extern "C" void gnc_entry_init(void **b) { entryInit(b); }
extern "C" void gnc_entry_step(void **b) { entryStep(b); }
extern "C" void gnc_entry_encode(void **b) { entryCode4B(b); }

extern "C" const GncEntry gnc_entries[] = {{"gnc_entry_init", gnc_entry_init},
                                           {"gnc_entry_step", gnc_entry_step},
                                           {"gnc_entry_encode", gnc_entry_encode},
                                           {nullptr, nullptr}};
#endif
