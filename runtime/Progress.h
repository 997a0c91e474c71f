// Training progress on stderr.
//   On a terminal: one line rewritten in place (\r), at most ~10 times a second:
//     epoch 1/1 [=====>              ] 200/469 loss 0.1234 1234 img/s ETA 0:12
//   Otherwise (a file, a pipe, or --json): a plain line at every ~10% of an epoch:
//     epoch 1/1 step 200/469 loss 0.1234 1234 img/s ETA 0:12
// "loss" is the mean of losses[0] over the epoch's steps so far; a model with several losses
// shows each by name. Messages in between (checkpoints) clear the line first.
#ifndef GNC_RUNTIME_PROGRESS_H
#define GNC_RUNTIME_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace gnc::rt {

struct ProgressState {
  uint64_t epoch = 0, epochs = 0;        // 1-based epoch, total epochs of the run
  uint64_t step = 0, stepsPerEpoch = 0;  // steps done in this epoch (1-based after a step)
  std::vector<std::string> lossNames;
  std::vector<double> lossMeans;
  double imagesPerSecond = 0;
  double etaSeconds = -1;                // < 0: unknown
  bool lastOfRun = false;                // the run's last step: always shown
};

// Seconds elapsed on the steady clock since t (the rates and durations every command reports).
double secondsSince(std::chrono::steady_clock::time_point t);
// "0:12", "1:02:03", "?" for a negative value.
std::string formatDuration(double seconds);
// The line without a trailing newline; barWidth 0: the plain form.
std::string formatProgress(const ProgressState &s, int barWidth);

class Progress {
public:
  // interactive: rewrite one line (a terminal and no --json).
  Progress(std::FILE *out, bool interactive);
  void update(const ProgressState &s); // after every step
  void endEpoch(const ProgressState &s, double seconds);
  void message(const std::string &line); // a line of its own
  void finish();                         // ends an unfinished in-place line

private:
  std::FILE *out;
  bool interactive;
  bool lineOpen = false;
  uint64_t lastPlainStep = 0;
  std::chrono::steady_clock::time_point lastDraw{};
};

} // namespace gnc::rt

#endif
