/* The C API against every golden row of a bundle: each way of predicting
 * (a record, a JSON or JSON Lines batch, the feature matrix) reproduces the
 * training library's recorded answers. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_api_test.h"

/* --- The checks. --- */
enum { kMaxRows = 64, kMaxOutputs = 32 };

typedef struct {
  size_t n_features, n_outputs, n_raw_outputs;
  int task;
  double threshold;
} Shape;

static Shape DescribeModel(const StrokeModel* model, const char* name) {
  Shape s = {0, 0, 0, -1, 0};
  size_t n_inputs = 0, n_classes = 0;
  CHECK_OK(StrokeModelGetNumFeatures(model, &s.n_features));
  CHECK_OK(StrokeModelGetNumOutputs(model, &s.n_outputs));
  CHECK_OK(StrokeModelGetNumRawOutputs(model, &s.n_raw_outputs));
  CHECK_OK(StrokeModelGetNumInputs(model, &n_inputs));
  CHECK_OK(StrokeModelGetNumClasses(model, &n_classes));
  CHECK_OK(StrokeModelGetTask(model, &s.task));
  CHECK_OK(StrokeModelGetThreshold(model, &s.threshold));
  Check(s.n_features > 0 && n_inputs > 0 && s.n_raw_outputs > 0, name, "empty shape");
  Check(s.n_outputs == (s.task == STROKE_TASK_REGRESSION ? 1 : n_classes), name, "%zu outputs",
        s.n_outputs);
  Check(s.task != STROKE_TASK_BINARY_CLASSIFICATION || n_classes == 2, name,
        "binary with %zu classes", n_classes);
  const char* text = NULL;
  for (size_t i = 0; i < n_classes; ++i) {
    CHECK_OK(StrokeModelGetClassLabel(model, i, &text));
    Check(text != NULL && text[0] != '\0', name, "class %zu has no label", i);
  }
  for (size_t i = 0; i < s.n_features; ++i) CHECK_OK(StrokeModelGetFeatureName(model, i, &text));
  for (size_t i = 0; i < n_inputs; ++i) CHECK_OK(StrokeModelGetInputName(model, i, &text));
  CHECK_FAILS(StrokeModelGetFeatureName(model, s.n_features, &text), STROKE_ERROR_INVALID_ARGUMENT,
              "out of range");
  CHECK_FAILS(StrokeModelGetInputName(model, n_inputs, &text), STROKE_ERROR_INVALID_ARGUMENT,
              "out of range");
  CHECK_FAILS(StrokeModelGetClassLabel(model, n_classes, &text), STROKE_ERROR_INVALID_ARGUMENT,
              "out of range");
  return s;
}

/* The golden answer of row `row`, in the C API's output layout. */
static size_t GoldenOutputs(Cursor row, const Shape* s, double* out, double* raw_margin) {
  if (s->task == STROKE_TASK_REGRESSION) {
    out[0] = strtod(Member(row, "value").p, NULL);
    return 1;
  }
  if (s->task == STROKE_TASK_BINARY_CLASSIFICATION) {
    out[1] = strtod(Member(row, "probability").p, NULL);
    out[0] = 1.0 - out[1];
    Cursor margin = Member(row, "raw_margin");
    *raw_margin = margin.p != NULL ? strtod(margin.p, NULL) : NAN;
    return 2;
  }
  Cursor c = Member(row, "probabilities");
  size_t k = 0;
  for (++c.p; k < kMaxOutputs && *c.p != ']'; ++k) {
    char* next = NULL;
    out[k] = strtod(c.p, &next);
    c.p = next;
    SkipSpace(&c);
    if (*c.p == ',') ++c.p;
  }
  return k;
}

/* A prediction against the training library's recorded answer: equal, but
 * for multiclass probabilities recorded by numpy's own AVX-512 exp, which
 * differ from the C library's exp in the last bits (docs/models.md,
 * "Exactness"; python_export/stroke_export/verify.py allows 1e-14 for them too). */
int inexact_softmax = 0;

static void CheckGolden(double got, double golden, const Shape* s, const char* name, size_t row,
                        size_t column) {
  if (got == golden) return;
  const int numpy_exp =
      s->task == STROKE_TASK_MULTICLASS_CLASSIFICATION && fabs(got - golden) <= 1e-14;
  inexact_softmax += numpy_exp;
  Check(numpy_exp, name, "golden[%zu][%zu]: %.17g != %.17g", row, column, got, golden);
}

static void CheckGoldenRows(const StrokeModel* model, const char* name, Cursor bundle) {
  const Shape s = DescribeModel(model, name);
  static char array[1 << 20], lines[1 << 20], record[1 << 16];
  strcpy(array, "[");
  lines[0] = '\0';
  double expected[kMaxRows][kMaxOutputs];
  size_t rows = 0;
  Cursor c = Member(bundle, "golden");
  Check(c.p != NULL && *c.p == '[', name, "no golden rows");
  if (c.p == NULL) return;
  for (++c.p, SkipSpace(&c); *c.p == '{' && rows < kMaxRows; ++rows) {
    double out[kMaxOutputs], raw_margin = NAN, features[4096], raw[kMaxOutputs];
    const size_t k = GoldenOutputs(c, &s, expected[rows], &raw_margin);
    Check(k == s.n_outputs, name, "golden[%zu] has %zu outputs", rows, k);
    record[0] = '\0';
    AppendCompact(Member(c, "inputs"), record);
    strcat(strcat(array, rows > 0 ? "," : ""), record);
    strcat(strcat(lines, record), "\n");
    /* One record as JSON text, against the recorded answer; then every other
     * way of predicting against this one. */
    double golden[kMaxOutputs];
    memcpy(golden, expected[rows], sizeof golden);
    CHECK_OK(StrokeModelPredictRecord(model, record, strlen(record), expected[rows], s.n_outputs));
    for (size_t j = 0; j < k; ++j) CheckGolden(expected[rows][j], golden[j], &s, name, rows, j);
    if (s.task != STROKE_TASK_REGRESSION) {
      size_t predicted = 0;
      for (size_t j = 1; j < k; ++j)
        predicted = expected[rows][j] > expected[rows][predicted] ? j : predicted;
      if (s.task == STROKE_TASK_BINARY_CLASSIFICATION) predicted = expected[rows][1] > s.threshold;
      const long golden_class = strtol(Member(c, "prediction").p, NULL, 10);
      Check((long)predicted == golden_class, name, "golden[%zu]: class %zu, recorded %ld", rows,
            predicted, golden_class);
    }
    /* Prepared features, then probabilities and raw margins. */
    Check(s.n_features <= 4096, name, "too many features for this test");
    CHECK_OK(StrokeModelPrepareRecord(model, record, strlen(record), features, s.n_features));
    CHECK_OK(StrokeModelPredictFeatures(model, features, 1, s.n_features, STROKE_OUTPUT_PROBABILITY,
                                        out, k));
    for (size_t j = 0; j < k; ++j) {
      Check(out[j] == expected[rows][j], name, "features [%zu][%zu]: %.17g != %.17g", rows, j,
            out[j], expected[rows][j]);
    }
    CHECK_OK(StrokeModelPredictFeatures(model, features, 1, s.n_features, STROKE_OUTPUT_RAW_MARGIN,
                                        raw, s.n_raw_outputs));
    if (!isnan(raw_margin)) {
      Check(raw[s.n_raw_outputs - 1] == raw_margin, name, "golden[%zu] raw margin %.17g != %.17g",
            rows, raw[s.n_raw_outputs - 1], raw_margin);
    }
    /* The explanation adds up to the raw margins. */
    double* phi = malloc(sizeof(double) * s.n_raw_outputs * s.n_features);
    double expected_values[kMaxOutputs];
    CHECK_OK(StrokeModelExplainRecord(model, record, strlen(record), phi,
                                      s.n_raw_outputs * s.n_features, expected_values,
                                      s.n_raw_outputs));
    for (size_t o = 0; o < s.n_raw_outputs; ++o) {
      double sum = expected_values[o];
      for (size_t f = 0; f < s.n_features; ++f) sum += phi[o * s.n_features + f];
      Check(fabs(sum - raw[o]) <= 1e-9 * fmax(1.0, fabs(raw[o])), name,
            "golden[%zu] output %zu: SHAP sum %.17g, raw %.17g", rows, o, sum, raw[o]);
    }
    free(phi);
    SkipValue(&c);
    SkipSpace(&c);
    if (*c.p == ',') ++c.p;
    SkipSpace(&c);
  }
  strcat(array, "]");
  Check(rows >= 2, name, "only %zu golden rows", rows);
  /* The whole batch, as a JSON array and as JSON Lines: the same answers. */
  const char* texts[2] = {array, lines};
  for (int t = 0; t < 2; ++t) {
    size_t n = 0;
    CHECK_FAILS(StrokeModelPredictBatch(model, texts[t], strlen(texts[t]), NULL, 0, &n),
                STROKE_ERROR_INVALID_ARGUMENT, "are needed");
    Check(n == rows, name, "size query gave %zu rows, expected %zu", n, rows);
    double* out = malloc(sizeof(double) * rows * s.n_outputs);
    CHECK_OK(
        StrokeModelPredictBatch(model, texts[t], strlen(texts[t]), out, rows * s.n_outputs, &n));
    for (size_t i = 0; i < rows; ++i) {
      for (size_t j = 0; j < s.n_outputs; ++j) {
        Check(out[i * s.n_outputs + j] == expected[i][j], name,
              "%s batch [%zu][%zu]: %.17g != %.17g", t == 0 ? "array" : "JSONL", i, j,
              out[i * s.n_outputs + j], expected[i][j]);
      }
    }
    free(out);
  }
  printf(
      "%s: %zu golden rows; the same answers from a record, a batch, JSON Lines and features; SHAP "
      "sums\n",
      name, rows);
}

void CheckBundle(const char* path, const char* name) {
  size_t length = 0;
  char* text = ReadFile(path, &length);
  Check(text != NULL, path, "unreadable");
  if (text == NULL) return;
  StrokeModel* from_file = NULL;
  StrokeModel* from_text = NULL;
  CHECK_OK(StrokeModelLoad(path, &from_file));
  CHECK_OK(StrokeModelLoadFromJson(text, length, &from_text));
  Check(strcmp(StrokeGetLastError(), "") == 0, name, "an error message after success");
  Cursor bundle = {text, text + length};
  if (from_file != NULL) CheckGoldenRows(from_file, name, bundle);
  if (from_text != NULL) CheckGoldenRows(from_text, name, bundle);
  CHECK_OK(StrokeModelFree(from_file));
  CHECK_OK(StrokeModelFree(from_text));
  free(text);
}
