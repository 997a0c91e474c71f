// The sample and reconstruct commands' work: run a sample procedure enough times for n
// images (call i with key evalKey(seed, i), Shuffle.h) and lay the images out as a grid.
//   sample:      procedure 'generate', n generated images, ceil(sqrt(n)) columns.
//   reconstruct: procedure 'reconstruct' on the first n test images or rows of --input X.npy
//                (Apply.h; batch i holds examples i*B .. i*B+B-1, wrapping around); each
//                input is drawn with its output to its right, ceil(sqrt(n)) pairs per row (a
//                denoiser's noisy input left, its output right).
#ifndef GNC_RUNTIME_SAMPLING_H
#define GNC_RUNTIME_SAMPLING_H

#include "runtime/Apply.h"
#include "runtime/Engine.h"
#include "runtime/PngGrid.h"

#include <cstdint>
#include <string>

namespace gnc::rt {

GridImage sampleGrid(Engine &engine, const EntrySpec &entry, uint64_t seed, size_t n);
GridImage reconstructGrid(Engine &engine, const EntrySpec &entry, const ApplyInput &input,
                          uint64_t seed, size_t n);

} // namespace gnc::rt

#endif
