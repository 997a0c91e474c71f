// The learned manifold of a 2-D latent space (Kingma & Welling 2014, fig. 4): a decoder
// procedure taking [B, 2] codes is run on an n x n grid of latent points
//   z = (Phi^-1(u_col), Phi^-1(u_row')),  u_i = 0.05 + 0.9 i / (n - 1)  (0.5 when n = 1),
// Phi^-1 the standard normal quantile, so the grid covers the prior's central 90% in equal
// probability steps. The images form an n x n PNG grid: column c has the first coordinate
// increasing left to right, row r the second coordinate decreasing top to bottom (row' =
// n - 1 - r). Batches of B points, call i with key evalKey(seed, i), the last one padded.
#ifndef GNC_RUNTIME_MANIFOLD_H
#define GNC_RUNTIME_MANIFOLD_H

#include "runtime/Engine.h"
#include "runtime/PngGrid.h"

#include <cstdint>
#include <vector>

namespace gnc::rt {

// Phi^-1(p) for p in (0, 1): Acklam's rational approximation refined by one Halley step on
// std::erfc (relative error near 1e-15); -inf/+inf at 0/1, NaN outside [0, 1].
double normalQuantile(double p);

// The n*n latent points, row by row as drawn (2 floats each).
std::vector<float> manifoldPoints(size_t n);

// Checks that the procedure takes [B, 2] and outputs images (Error otherwise), then draws.
GridImage manifoldGrid(Engine &engine, const EntrySpec &entry, size_t n, uint64_t seed);

} // namespace gnc::rt

#endif
