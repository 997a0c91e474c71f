#include "runtime/Progress.h"

#include <cmath>

namespace gnc::rt {

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string formatDuration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e9)
    return "?";
  long long s = std::llround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

std::string formatProgress(const ProgressState &s, int barWidth) {
  char buf[64];
  std::string line = "epoch " + std::to_string(s.epoch) + "/" + std::to_string(s.epochs) + " ";
  if (barWidth > 0) {
    int filled = s.stepsPerEpoch ? (int)(barWidth * s.step / s.stepsPerEpoch) : 0;
    std::string bar(barWidth, ' ');
    for (int i = 0; i < filled && i < barWidth; ++i)
      bar[i] = '=';
    if (filled < barWidth && s.step > 0)
      bar[filled] = '>';
    line += "[" + bar + "] ";
  } else {
    line += "step ";
  }
  line += std::to_string(s.step) + "/" + std::to_string(s.stepsPerEpoch);
  for (size_t i = 0; i < s.lossMeans.size(); ++i) {
    std::snprintf(buf, sizeof buf, " %.4f", s.lossMeans[i]);
    line += " " + (s.lossMeans.size() == 1 ? std::string("loss") : s.lossNames[i]) + buf;
  }
  std::snprintf(buf, sizeof buf, " %.0f img/s", s.imagesPerSecond);
  line += buf;
  line += " ETA " + formatDuration(s.etaSeconds);
  return line;
}

Progress::Progress(std::FILE *o, bool i) : out(o), interactive(i) {}

void Progress::update(const ProgressState &s) {
  if (interactive) {
    auto now = std::chrono::steady_clock::now();
    bool last = s.step == s.stepsPerEpoch || s.lastOfRun;
    if (!last && lineOpen && now - lastDraw < std::chrono::milliseconds(100))
      return;
    lastDraw = now;
    std::fprintf(out, "\r%s\x1b[K", formatProgress(s, 24).c_str());
    std::fflush(out);
    lineOpen = true;
    return;
  }
  // Plain lines at each 10% boundary crossed (and the epoch's last step).
  uint64_t tenth = s.stepsPerEpoch >= 10 ? (s.stepsPerEpoch + 9) / 10 : 1;
  if (s.step == s.stepsPerEpoch || s.lastOfRun || s.step / tenth != lastPlainStep / tenth ||
      s.step < lastPlainStep) {
    std::fprintf(out, "%s\n", formatProgress(s, 0).c_str());
    std::fflush(out);
  }
  lastPlainStep = s.step;
}

void Progress::endEpoch(const ProgressState &s, double seconds) {
  finish();
  char buf[64];
  std::string line =
      "epoch " + std::to_string(s.epoch) + "/" + std::to_string(s.epochs) + " done: train";
  for (size_t i = 0; i < s.lossMeans.size(); ++i) {
    std::snprintf(buf, sizeof buf, " %.4f", s.lossMeans[i]);
    line += " " + (s.lossMeans.size() == 1 ? std::string("loss") : s.lossNames[i]) + buf;
  }
  std::snprintf(buf, sizeof buf, ", %.0f img/s, ", s.imagesPerSecond);
  line += buf + formatDuration(seconds);
  std::fprintf(out, "%s\n", line.c_str());
  std::fflush(out);
  lastPlainStep = 0;
}

void Progress::message(const std::string &line) {
  finish();
  std::fprintf(out, "%s\n", line.c_str());
  std::fflush(out);
}

void Progress::finish() {
  if (lineOpen) {
    std::fputc('\n', out);
    std::fflush(out);
    lineOpen = false;
  }
}

} // namespace gnc::rt
