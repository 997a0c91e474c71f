// The lecture's dimensionality-reduction picture: 2-D latent codes as a scatter plot (PNG),
// each point coloured by its digit label (Plot.h's palette, a legend of the ten digits), axes
// with numeric ticks. The axes span the 0.2nd to 99.8th percentile of each coordinate (padded
// by 8%), so that a few outliers do not shrink the cloud to a dot; points outside are left out.
#ifndef GNC_RUNTIME_LATENTSCATTER_H
#define GNC_RUNTIME_LATENTSCATTER_H

#include "runtime/PngGrid.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

// codes: n x 2 floats; labels: n digits, or empty (one colour, no legend).
GridImage latentScatter(const std::vector<float> &codes, const std::vector<uint8_t> &labels,
                        const std::string &title);

} // namespace gnc::rt

#endif
