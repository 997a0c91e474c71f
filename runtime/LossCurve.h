// The loss history of a training run (every step's losses, kept in the checkpoint) as a CSV
// file and as a line plot (PNG), written at the end of `train`:
//   CSV   step,epoch,NAME1,NAME2,...   one row per step: step counts from 1 (global), epoch is
//         the 1-based epoch the step belongs to, values %.9g (exact f32; "nan", "inf").
//   PNG   step on x, loss on y, each loss in its palette colour (Plot.h) with a legend: every
//         step's value faint, a centred moving average over max(20, 1% of the steps) bold. The
//         y range runs from the smallest 1st to the largest 99th percentile of the losses
//         (padded by 5%), so that the first steps' large losses do not flatten the curve; the
//         axis is logarithmic when that range is positive and spans more than a factor of 20.
#ifndef GNC_RUNTIME_LOSSCURVE_H
#define GNC_RUNTIME_LOSSCURVE_H

#include "runtime/PngGrid.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

struct LossHistory {
  std::vector<std::string> names;
  uint64_t first = 0;         // the 0-based global step of the first entry
  uint64_t stepsPerEpoch = 0; // for the CSV's epoch column (0: left empty)
  std::vector<float> values;  // names.size() per step
  std::string title;          // shown above the plot
  size_t steps() const { return names.empty() ? 0 : values.size() / names.size(); }
};

// The moving average's window for n steps: max(20, n / 100), at most n.
size_t movingAverageWindow(size_t steps);
// Centred moving average over `window` values (an odd window: window - 1 rounded down to even,
// plus one), shrinking symmetrically towards the ends; non-finite values are ignored.
std::vector<double> movingAverage(const std::vector<double> &values, size_t window);

std::string lossCsv(const LossHistory &h);
GridImage lossCurveImage(const LossHistory &h);

// Both written atomically (FileIO.h).
void writeLossCsv(const std::string &path, const LossHistory &h);
void writeLossCurve(const std::string &path, const LossHistory &h);

// "out/ae.safetensors" -> "out/ae": the checkpoint's path without its extension, the prefix of
// the default "-loss.csv" and "-loss.png".
std::string checkpointStem(const std::string &checkpoint);

} // namespace gnc::rt

#endif
