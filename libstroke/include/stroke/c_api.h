/* The C API of libstroke: load a bundle, describe it, predict and explain,
 * from C or any language with a C foreign-function interface.
 *
 *   StrokeModel* model = NULL;
 *   if (StrokeModelLoad("stroke.bundle.json", &model) != STROKE_OK) {
 *     fprintf(stderr, "%s\n", StrokeGetLastError());
 *     return 1;
 *   }
 *   size_t n_outputs = 0;
 *   StrokeModelGetNumOutputs(model, &n_outputs);       // 2 for a binary model
 *   double proba[2];
 *   const char* record = "{\"age\": 67, \"gender\": \"Male\", ...}";
 *   if (StrokeModelPredictRecord(model, record, strlen(record), proba, 2) == STROKE_OK)
 *     printf("P(stroke) = %.6f\n", proba[1]);
 *   StrokeModelFree(model);
 *
 * Conventions, for every function below:
 * - The return value is a status code: STROKE_OK (0) or one of the
 *   STROKE_ERROR_* codes. After a failure, StrokeGetLastError() says what
 *   went wrong; outputs are then unspecified unless the function says
 *   otherwise. No C++ exception leaves the library; an unexpected one
 *   (out of memory included) is STROKE_ERROR_INTERNAL.
 * - A NULL pointer where an argument is required, a buffer too small for
 *   its result or a size that does not match the model is refused with
 *   STROKE_ERROR_INVALID_ARGUMENT before any work: no output buffer is
 *   written then (only the *out / *n_samples resets the function documents).
 * - Text (bundle JSON, records) is passed as a pointer and a length in
 *   bytes, UTF-8; only those bytes are read (no terminating NUL needed). A
 *   leading UTF-8 byte-order mark is ignored. Strings returned are UTF-8 and
 *   NUL-terminated.
 * - Numbers are float64 (double); matrices are row-major, C-contiguous.
 * - Ownership: a StrokeModel is created by StrokeModelLoad* and released by
 *   StrokeModelFree; every other pointer the library returns is owned by
 *   the library (by the model, or by the calling thread) and must not be freed.
 * - Thread safety: a loaded model is immutable. Every function may be
 *   called on the same model from many threads at once, except
 *   StrokeModelFree, which must not race with any other use of that model.
 *   Error messages are kept per thread.
 */
#ifndef STROKE_C_API_H_
#define STROKE_C_API_H_

#include <stddef.h>

#if defined(STROKE_SHARED_LIBRARY) && defined(STROKE_COMPILE_LIBRARY)
#define STROKE_C_EXPORT __attribute__((visibility("default")))
#else
#define STROKE_C_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. */
#define STROKE_OK 0
/* A NULL pointer, a buffer too small, a size or enum value the model does not take. */
#define STROKE_ERROR_INVALID_ARGUMENT 1
/* The bundle is not JSON, malformed, inconsistent, or beyond the loader's limits. */
#define STROKE_ERROR_BUNDLE 2
/* A record (or feature row) does not fit the model: not JSON, a missing or
 * bad field, a value out of limits. The message names the field. */
#define STROKE_ERROR_INVALID_INPUT 3
/* A file could not be read (missing, a directory, no permission). */
#define STROKE_ERROR_IO 4
/* A bug in libstroke, or memory exhausted. */
#define STROKE_ERROR_INTERNAL 5

/* What a model predicts (StrokeModelGetTask). */
#define STROKE_TASK_BINARY_CLASSIFICATION 0
#define STROKE_TASK_MULTICLASS_CLASSIFICATION 1
#define STROKE_TASK_REGRESSION 2

/* What StrokeModelPredictFeatures writes per row. */
/* n_outputs columns: class probabilities (classification) or the value (regression). */
#define STROKE_OUTPUT_PROBABILITY 0
/* n_raw_outputs columns: the ensemble's raw scores before the link function
 * (gradient boosting: log-odds or per-class margins; forests: averaged class
 * probabilities; regression: the value). */
#define STROKE_OUTPUT_RAW_MARGIN 1

/* A loaded model (opaque). */
typedef struct StrokeModel StrokeModel;

/* The message of the most recent failed call of this C API on the calling
 * thread ("" when the most recent call succeeded: every call but
 * StrokeVersion and the two StrokeGetLast* functions clears it). Never NULL.
 * The text belongs to the thread and stays valid until its next call of
 * this API. */
STROKE_C_EXPORT const char* StrokeGetLastError(void);

/* After StrokeModelPredictBatch, StrokeModelPredictFeatures or
 * StrokeModelPredictFeaturesBatch on the calling thread: why row `row`
 * (0-based, the row of the output buffer) was refused, e.g. "age: expected
 * a number, got \"old\"", or NULL when that row was predicted (or no such
 * row, or another call came in between). Owned by the thread; valid until
 * its next call of this API (other than StrokeGetLast*). */
STROKE_C_EXPORT const char* StrokeGetLastRowError(size_t row);

/* libstroke's version, "MAJOR.MINOR.PATCH". Static storage; never NULL. */
STROKE_C_EXPORT const char* StrokeVersion(void);

/* Loads and validates the bundle file at `path` (a NUL-terminated file name)
 * into a new model, stored in *out (set to NULL on failure). Free it with
 * StrokeModelFree. Errors: STROKE_ERROR_IO (unreadable, a directory),
 * STROKE_ERROR_BUNDLE (invalid; the message gives the JSON path of the
 * problem), STROKE_ERROR_INVALID_ARGUMENT (NULL). Takes time and memory
 * linear in the bundle's size. */
STROKE_C_EXPORT int StrokeModelLoad(const char* path, StrokeModel** out);

/* Same, from the bundle's JSON text: `length` bytes at `json` (copied as
 * needed; the caller keeps ownership of the buffer). */
STROKE_C_EXPORT int StrokeModelLoadFromJson(const char* json, size_t length, StrokeModel** out);

/* Releases a model and everything it owns (the strings its getters
 * returned). NULL is accepted and does nothing. Always returns STROKE_OK. */
STROKE_C_EXPORT int StrokeModelFree(StrokeModel* model);

/* Model facts. Each writes one value to *out. */
/* Number of model features: the columns of a prepared feature row (after
 * one-hot encoding and derived features). */
STROKE_C_EXPORT int StrokeModelGetNumFeatures(const StrokeModel* model, size_t* out);
/* Number of input fields a record has (the bundle's schema). */
STROKE_C_EXPORT int StrokeModelGetNumInputs(const StrokeModel* model, size_t* out);
/* Columns of a prediction: the number of classes (binary: 2, P(class 0) and
 * P(class 1)), or 1 for regression. */
STROKE_C_EXPORT int StrokeModelGetNumOutputs(const StrokeModel* model, size_t* out);
/* Columns of raw margins and of explanations: the ensemble's raw scores
 * (binary gradient boosting: 1, the log-odds of class 1; multiclass: one per
 * class; binary forests: 2; regression: 1). */
STROKE_C_EXPORT int StrokeModelGetNumRawOutputs(const StrokeModel* model, size_t* out);
/* One of STROKE_TASK_*. */
STROKE_C_EXPORT int StrokeModelGetTask(const StrokeModel* model, int* out);
/* Binary classification: class 1 when P(class 1) > threshold (the bundle's
 * decision threshold); other tasks: 0.5, unused. */
STROKE_C_EXPORT int StrokeModelGetThreshold(const StrokeModel* model, double* out);
/* Number of classes (classification), 0 for regression. */
STROKE_C_EXPORT int StrokeModelGetNumClasses(const StrokeModel* model, size_t* out);

/* Names, owned by the model: valid until StrokeModelFree. `index` out of
 * range is STROKE_ERROR_INVALID_ARGUMENT. */
/* The label of class `index` (< StrokeModelGetNumClasses). */
STROKE_C_EXPORT int StrokeModelGetClassLabel(const StrokeModel* model, size_t index,
                                             const char** out);
/* The name of model feature `index` (< StrokeModelGetNumFeatures), e.g. "gender_Male". */
STROKE_C_EXPORT int StrokeModelGetFeatureName(const StrokeModel* model, size_t index,
                                              const char** out);
/* The name of input field `index` (< StrokeModelGetNumInputs), e.g. "gender". */
STROKE_C_EXPORT int StrokeModelGetInputName(const StrokeModel* model, size_t index,
                                            const char** out);

/* Predicts one record, a JSON object of `length` bytes (field -> value, as
 * stroke-predict reads it), writing n_outputs doubles to `out` (see
 * StrokeModelGetNumOutputs; `out_length` is the buffer's capacity in
 * doubles, at least n_outputs): class probabilities in class order, each in
 * [0, 1], or the regression value in the target's units: what
 * stroke-predict answers, the training library's result bit for bit
 * (docs/models.md, "Exactness", lists the exceptions). Errors:
 * STROKE_ERROR_INVALID_INPUT (not a JSON object, or fields that do not fit
 * the schema: the message names each one). */
STROKE_C_EXPORT int StrokeModelPredictRecord(const StrokeModel* model, const char* json,
                                             size_t length, double* out, size_t out_length);

/* Predicts many records: `length` bytes of a JSON array of objects, one JSON
 * object, JSON Lines (one object per line; blank lines skipped) or CSV with a
 * header row naming the model's inputs, the format told apart as
 * stroke-predict does (stroke/record_input.h, ReadInput). Sets *n_samples to the number of
 * records, then writes n_samples x n_outputs doubles (row-major; what
 * StrokeModelPredictRecord writes for each) to `out`, whose capacity
 * `out_length` (in doubles) must be at least that: when it is not, nothing
 * is written, *n_samples is still set and the result is
 * STROKE_ERROR_INVALID_ARGUMENT, so call once with (NULL, 0) to size the
 * buffer. A record that cannot be predicted gets NaN in its row and its
 * reason in StrokeGetLastRowError(row); the others are predicted all the
 * same, and the call returns STROKE_ERROR_INVALID_INPUT (message: how many
 * rows failed, and the first). Text that holds no records at all (a JSON
 * number, CSV whose header lacks an input) is STROKE_ERROR_INVALID_INPUT
 * with *n_samples = 0. */
STROKE_C_EXPORT int StrokeModelPredictBatch(const StrokeModel* model, const char* text,
                                            size_t length, double* out, size_t out_length,
                                            size_t* n_samples);

/* Checks one record (a JSON object, as in StrokeModelPredictRecord) and
 * writes its n_features prepared features to `features` (capacity
 * `features_length` doubles, at least n_features), in feature order (see
 * StrokeModelGetFeatureName); NaN is a missing value the trees route. The
 * input of StrokeModelPredictFeatures. Errors: STROKE_ERROR_INVALID_INPUT. */
STROKE_C_EXPORT int StrokeModelPrepareRecord(const StrokeModel* model, const char* json,
                                             size_t length, double* features,
                                             size_t features_length);

/* Predicts from prepared features: `features` holds n_samples x n_features
 * doubles, row-major; `n_features` must equal StrokeModelGetNumFeatures.
 * The rows between failed ones are scored together by the batch engine (a
 * deep forest reads each tree once per 256 rows), on the calling thread;
 * StrokeModelPredictFeaturesBatch spreads them over threads.
 * `output_kind` is STROKE_OUTPUT_PROBABILITY (n_outputs columns, as
 * StrokeModelPredictRecord) or STROKE_OUTPUT_RAW_MARGIN (n_raw_outputs
 * columns); `out` receives n_samples rows of those (capacity `out_length`
 * doubles, at least their product). Allocates nothing. A row holding NaN
 * where the trees take no missing value, an infinity, or (for trees
 * comparing float32) a value beyond float32, is refused as in
 * StrokeModelPredictBatch: NaN row, StrokeGetLastRowError naming the
 * feature, STROKE_ERROR_INVALID_INPUT once all rows are done. */
STROKE_C_EXPORT int StrokeModelPredictFeatures(const StrokeModel* model, const double* features,
                                               size_t n_samples, size_t n_features, int output_kind,
                                               double* out, size_t out_length);

/* StrokeModelPredictFeatures on up to `n_threads` threads, the calling
 * thread one of them: 1 scores on the calling thread alone (exactly
 * StrokeModelPredictFeatures), 0 uses one thread per CPU this process may
 * use (its affinity mask and cgroup CPU quota: stroke::AvailableCpus), and
 * a batch gets no more threads than it has 4,096-row shares. The rows are
 * cut into pieces that the threads take in turn (stroke::BatchOptions); the
 * answers, the failed rows and their messages are the same bit for bit
 * whatever the count. The threads are started and joined within the call
 * (tens of microseconds each; it allocates then). Errors as
 * StrokeModelPredictFeatures, and STROKE_ERROR_INVALID_ARGUMENT for a
 * negative n_threads. Like every function here, it may be called from
 * several threads at once. */
STROKE_C_EXPORT int StrokeModelPredictFeaturesBatch(const StrokeModel* model,
                                                    const double* features, size_t n_samples,
                                                    size_t n_features, int output_kind,
                                                    int n_threads, double* out,
                                                    size_t out_length);

/* Exact TreeSHAP explanation of one record (a JSON object): writes
 * n_raw_outputs x n_features contributions (row-major: one row per raw
 * output, one column per model feature; capacity `contributions_length`
 * doubles) and n_raw_outputs expected values (capacity
 * `expected_values_length`), in the units of the raw margin (log-odds for
 * gradient boosting). For each raw output k: expected_values[k] + the sum
 * of its contributions = its raw margin (to rounding). Allocates scratch
 * memory per call. Errors: STROKE_ERROR_INVALID_INPUT (the record),
 * STROKE_ERROR_INTERNAL (the scratch memory could not be allocated). */
STROKE_C_EXPORT int StrokeModelExplainRecord(const StrokeModel* model, const char* json,
                                             size_t length, double* contributions,
                                             size_t contributions_length, double* expected_values,
                                             size_t expected_values_length);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STROKE_C_API_H_ */
