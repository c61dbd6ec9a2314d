// SPDX-License-Identifier: MIT
// CPU reference for the record branch's crop/scale: the exact oracle the GPU stage is
// tested against.
#pragma once

#include "core/record_plan.hpp"

#include <rearview/image.hpp>

namespace rearview::cpu {

/// Exact area resampling in double precision following `plan`, each plane on its own: Y
/// sample (i, j) is areaAverage() of the Y plane over its footprint, CbCr sample (i, j) of
/// the CbCr plane over its footprint in chroma coordinates (RecordPlan says which), rounded
/// to nearest. `dst` must be plan.outWidth x plan.outHeight; its colour space is left as is.
/// Only Y rows and CbCr rows whose index is a multiple of `rowStep` are computed (the others
/// are left as they are): a fast partial check of a large frame. rowStep 1 computes all.
void RecordScale(const Nv12View& src, const RecordPlan& plan, Nv12Image& dst, uint32_t rowStep = 1);

} // namespace rearview::cpu
