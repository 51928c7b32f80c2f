// Whether a loaded bundle answers as its training library did: its golden
// rows (Model::golden_rows, the answers scikit-learn or XGBoost computed at
// export) predicted again and compared. stroke-serve's model repository
// serves a version only when this passes.
#ifndef STROKE_GOLDEN_CHECK_H_
#define STROKE_GOLDEN_CHECK_H_

#include <cstddef>

#include "stroke/export.h"
#include "stroke/model.h"
#include "stroke/status.h"

namespace stroke {

// The largest |difference| between a golden probability and ours that the
// check accepts, as python_export/stroke_export/verify.py (tolerance_of)
// accepts at export: 0, except for float64 multiclass softmax links, 1e-14
// (numpy's own AVX-512 exp/log may have computed the golden rows; docs/models.md,
// "Exactness"), and float32 multiclass softmax (XGBoost's multi:softmax),
// 2^-22. Regression values and binary probabilities: 0.
STROKE_EXPORT double GoldenTolerance(const Model& model);

// Predicts every golden row from its inputs and compares: the class index
// exactly; probabilities (binary: P(class 1); multiclass: each class's) and
// regression values within GoldenTolerance. Returns the number of rows
// checked (0 for a bundle without golden rows), or kCorruptBundle naming the
// first row that differs ("golden[3]: probability 0.25 != recorded 0.2500001")
// or that the model refuses. Time: one prediction per golden row.
STROKE_EXPORT StatusOr<size_t> CheckGoldenRows(const Model& model);

}  // namespace stroke

#endif  // STROKE_GOLDEN_CHECK_H_
