/* The C API (stroke/c_api.h) from C11: every function, its error paths, and
 * every golden row of every bundle in MODELS_DIR reproduced exactly (==) by
 * each way of predicting.
 *
 *   c_api_test MODELS_DIR [EXPECTED_VERSION]
 *
 * Exit status 0 when every check passed; each failure is printed. Built by
 * ctest (tests/CMakeLists.txt, against libstroke.so) and by the install test
 * (against the installed library, flags from pkg-config). */
#define _POSIX_C_SOURCE 200809L

#include "stroke/c_api.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

static void Check(int ok, const char* where, const char* format, ...) {
  ++checks;
  if (ok) return;
  ++failures;
  va_list args;
  va_start(args, format);
  fprintf(stderr, "FAIL %s: ", where);
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
}

/* A call that must succeed; its error message otherwise. */
#define CHECK_OK(call) Check((call) == STROKE_OK, #call, "%s", StrokeGetLastError())
/* A call that must fail with `code` and a message containing `needle`. */
#define CHECK_FAILS(call, code, needle) ExpectFailure((call), (code), (needle), #call)

static void ExpectFailure(int got, int code, const char* needle, const char* where) {
  const char* message = StrokeGetLastError();
  Check(got == code, where, "returned %d, expected %d (message: %s)", got, code, message);
  Check(strstr(message, needle) != NULL, where, "message \"%s\" lacks \"%s\"", message, needle);
}

static char* ReadFile(const char* path, size_t* length) {
  FILE* file = fopen(path, "rb");
  if (file == NULL) return NULL;
  size_t capacity = 1 << 16, size = 0;
  char* text = malloc(capacity);
  size_t got;
  while (text != NULL && (got = fread(text + size, 1, capacity - size, file)) > 0) {
    size += got;
    if (size == capacity) text = realloc(text, capacity *= 2);
  }
  fclose(file);
  *length = size;
  return text;
}

/* --- Just enough JSON to read a bundle's golden rows. --- */
typedef struct {
  const char* p;
  const char* end;
} Cursor;

static void SkipSpace(Cursor* c) {
  while (c->p < c->end && strchr(" \t\r\n", *c->p) != NULL) ++c->p;
}

static void SkipValue(Cursor* c) {
  SkipSpace(c);
  if (c->p >= c->end) return;
  if (*c->p == '"') {
    for (++c->p; c->p < c->end && *c->p != '"'; ++c->p) {
      if (*c->p == '\\') ++c->p;
    }
    ++c->p;
  } else if (*c->p == '{' || *c->p == '[') {
    const char close = *c->p == '{' ? '}' : ']';
    ++c->p;
    for (SkipSpace(c); c->p < c->end && *c->p != close; SkipSpace(c)) {
      SkipValue(c); /* a key, a value, or an array element */
      SkipSpace(c);
      if (c->p < c->end && (*c->p == ':' || *c->p == ',')) ++c->p;
    }
    ++c->p;
  } else {
    while (c->p < c->end && strchr(",]}: \t\r\n", *c->p) == NULL) ++c->p;
  }
}

/* The value of `key` in the object starting at `object`, or a cursor with p == NULL. */
static Cursor Member(Cursor object, const char* key) {
  Cursor c = object;
  SkipSpace(&c);
  ++c.p; /* '{' */
  for (SkipSpace(&c); c.p < c.end && *c.p == '"'; SkipSpace(&c)) {
    const char* name = c.p + 1;
    SkipValue(&c);
    const int match =
        (size_t)(c.p - 1 - name) == strlen(key) && strncmp(name, key, strlen(key)) == 0;
    SkipSpace(&c);
    ++c.p; /* ':' */
    SkipSpace(&c);
    if (match) return c;
    SkipValue(&c);
    SkipSpace(&c);
    if (c.p < c.end && *c.p == ',') ++c.p;
  }
  Cursor none = {NULL, NULL};
  return none;
}

/* The text of the value at `c`, without whitespace outside strings, appended to `out`. */
static void AppendCompact(Cursor c, char* out) {
  Cursor value = c;
  SkipValue(&value);
  out += strlen(out);
  int in_string = 0;
  for (const char* p = c.p; p < value.p; ++p) {
    if (!in_string && strchr(" \t\r\n", *p) != NULL) continue;
    if (*p == '"' && (p == c.p || p[-1] != '\\')) in_string = !in_string;
    *out++ = *p;
  }
  *out = '\0';
}

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
static int inexact_softmax = 0;

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

static void CheckBundle(const char* path, const char* name) {
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

/* A stroke record with its age left as %s. */
static const char kPatientWithAge[] =
    "{\"gender\": \"Male\", \"age\": %s, \"hypertension\": false, \"heart_disease\": true, "
    "\"ever_married\": \"Yes\", \"work_type\": \"Private\", \"Residence_type\": \"Urban\", "
    "\"avg_glucose_level\": 228.69, \"bmi\": 36.6, \"smoking_status\": \"formerly smoked\"}";

/* Every error path, on the stroke model. */
static void CheckErrors(const char* models_dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/stroke.bundle.json", models_dir);
  StrokeModel* model = (StrokeModel*)1;
  CHECK_FAILS(StrokeModelLoad("/no/such/bundle.json", &model), STROKE_ERROR_IO,
              "/no/such/bundle.json");
  Check(model == NULL, "load", "a failed load left *out non-NULL");
  CHECK_FAILS(StrokeModelLoad(models_dir, &model), STROKE_ERROR_IO, "directory");
  CHECK_FAILS(StrokeModelLoadFromJson("{\"format\": ", 11, &model), STROKE_ERROR_BUNDLE, "");
  CHECK_FAILS(StrokeModelLoadFromJson("{}", 2, &model), STROKE_ERROR_BUNDLE, "");
  CHECK_FAILS(StrokeModelLoad(NULL, &model), STROKE_ERROR_INVALID_ARGUMENT, "path is NULL");
  CHECK_FAILS(StrokeModelLoad(path, NULL), STROKE_ERROR_INVALID_ARGUMENT, "out is NULL");
  CHECK_FAILS(StrokeModelLoadFromJson(NULL, 0, &model), STROKE_ERROR_INVALID_ARGUMENT,
              "json is NULL");
  CHECK_OK(StrokeModelFree(NULL));
  CHECK_OK(StrokeModelLoad(path, &model));
  if (model == NULL) return;

  size_t n = 0, n_features = 0;
  int task = 0;
  double d = 0, out[4], features[64];
  const char* text = NULL;
  CHECK_OK(StrokeModelGetNumFeatures(model, &n_features));
  Check(n_features <= 64, "stroke", "%zu features: more than this test's buffers", n_features);
  CHECK_FAILS(StrokeModelGetNumFeatures(NULL, &n), STROKE_ERROR_INVALID_ARGUMENT, "model is NULL");
  CHECK_FAILS(StrokeModelGetNumFeatures(model, NULL), STROKE_ERROR_INVALID_ARGUMENT, "out is NULL");
  CHECK_FAILS(StrokeModelGetNumInputs(NULL, &n), STROKE_ERROR_INVALID_ARGUMENT, "model is NULL");
  CHECK_FAILS(StrokeModelGetNumOutputs(model, NULL), STROKE_ERROR_INVALID_ARGUMENT, "out is NULL");
  CHECK_FAILS(StrokeModelGetNumRawOutputs(NULL, &n), STROKE_ERROR_INVALID_ARGUMENT,
              "model is NULL");
  CHECK_FAILS(StrokeModelGetNumClasses(model, NULL), STROKE_ERROR_INVALID_ARGUMENT, "out is NULL");
  CHECK_FAILS(StrokeModelGetTask(NULL, &task), STROKE_ERROR_INVALID_ARGUMENT, "model is NULL");
  CHECK_FAILS(StrokeModelGetThreshold(model, NULL), STROKE_ERROR_INVALID_ARGUMENT, "out is NULL");
  CHECK_FAILS(StrokeModelGetClassLabel(model, 0, NULL), STROKE_ERROR_INVALID_ARGUMENT,
              "out is NULL");
  CHECK_FAILS(StrokeModelGetFeatureName(NULL, 0, &text), STROKE_ERROR_INVALID_ARGUMENT,
              "model is NULL");
  CHECK_FAILS(StrokeModelGetInputName(model, 0, NULL), STROKE_ERROR_INVALID_ARGUMENT,
              "out is NULL");
  CHECK_OK(StrokeModelGetThreshold(model, &d));
  Check(d > 0 && d < 1, "threshold", "%g", d);

  /* A record: NULLs, a small buffer, not JSON, a bad field named. */
  char patient[1024], bad[1024];
  snprintf(patient, sizeof patient, kPatientWithAge, "67");
  snprintf(bad, sizeof bad, kPatientWithAge, "\"old\"");
  const size_t len = strlen(patient);
  CHECK_OK(StrokeModelPredictRecord(model, patient, len, out, 2));
  Check(out[1] > 0 && out[1] < 1 && out[0] == 1.0 - out[1], "patient", "P = %g, %g", out[0],
        out[1]);
  CHECK_FAILS(StrokeModelPredictRecord(NULL, patient, len, out, 2), STROKE_ERROR_INVALID_ARGUMENT,
              "model is NULL");
  CHECK_FAILS(StrokeModelPredictRecord(model, NULL, len, out, 2), STROKE_ERROR_INVALID_ARGUMENT,
              "json is NULL");
  CHECK_FAILS(StrokeModelPredictRecord(model, patient, len, NULL, 2), STROKE_ERROR_INVALID_ARGUMENT,
              "out is NULL");
  CHECK_FAILS(StrokeModelPredictRecord(model, patient, len, out, 1), STROKE_ERROR_INVALID_ARGUMENT,
              "2 are needed");
  CHECK_FAILS(StrokeModelPredictRecord(model, "{\"age\": ", 8, out, 2), STROKE_ERROR_INVALID_INPUT,
              "");
  CHECK_FAILS(StrokeModelPredictRecord(model, "[1, 2]", 6, out, 2), STROKE_ERROR_INVALID_INPUT, "");
  CHECK_FAILS(StrokeModelPredictRecord(model, bad, strlen(bad), out, 2), STROKE_ERROR_INVALID_INPUT,
              "age");
  CHECK_FAILS(StrokeModelPredictRecord(model, "{\"bmi\": 20}", 11, out, 2),
              STROKE_ERROR_INVALID_INPUT, "gender");
  CHECK_FAILS(StrokeModelPrepareRecord(model, bad, strlen(bad), features, 64),
              STROKE_ERROR_INVALID_INPUT, "age");
  CHECK_FAILS(StrokeModelPrepareRecord(model, patient, len, features, n_features - 1),
              STROKE_ERROR_INVALID_ARGUMENT, "are needed");
  CHECK_FAILS(StrokeModelPrepareRecord(model, patient, len, NULL, 64),
              STROKE_ERROR_INVALID_ARGUMENT, "features is NULL");
  /* Only the length given is read: the record ends before the garbage. */
  char padded[1024];
  snprintf(padded, sizeof padded, "%s}}garbage", patient);
  CHECK_OK(StrokeModelPredictRecord(model, padded, len, out, 2));

  /* A batch with a bad row: the others answered, the bad one NaN and named. */
  char batch[4096];
  snprintf(batch, sizeof batch, "%s\n%s\n\n%s\n", patient, bad, patient);
  double rows[6];
  CHECK_FAILS(StrokeModelPredictBatch(model, batch, strlen(batch), rows, 6, &n),
              STROKE_ERROR_INVALID_INPUT, "1 of 3 rows failed");
  Check(n == 3, "batch", "%zu rows", n);
  Check(rows[0] == out[0] && rows[1] == out[1] && rows[4] == out[0] && rows[5] == out[1], "batch",
        "good rows");
  Check(isnan(rows[2]) && isnan(rows[3]), "batch", "the bad row is not NaN");
  Check(StrokeGetLastRowError(0) == NULL && StrokeGetLastRowError(2) == NULL, "batch",
        "good rows have errors");
  Check(StrokeGetLastRowError(1) != NULL && strstr(StrokeGetLastRowError(1), "age") != NULL,
        "batch", "row 1: %s", StrokeGetLastRowError(1) ? StrokeGetLastRowError(1) : "(null)");
  Check(StrokeGetLastRowError(99) == NULL, "batch", "row 99 has an error");
  snprintf(batch, sizeof batch, "[%s, 42]", patient);
  CHECK_FAILS(StrokeModelPredictBatch(model, batch, strlen(batch), rows, 6, &n),
              STROKE_ERROR_INVALID_INPUT, "row 1");
  CHECK_FAILS(StrokeModelPredictBatch(model, "not json", 8, rows, 6, &n),
              STROKE_ERROR_INVALID_INPUT, "");
  Check(n == 0, "batch", "not JSON gave %zu rows", n);
  CHECK_FAILS(StrokeModelPredictBatch(model, patient, len, rows, 6, NULL),
              STROKE_ERROR_INVALID_ARGUMENT, "n_samples is NULL");
  CHECK_FAILS(StrokeModelPredictBatch(model, NULL, 0, rows, 6, &n), STROKE_ERROR_INVALID_ARGUMENT,
              "text is NULL");
  CHECK_OK(StrokeModelPredictBatch(model, "[]", 2, NULL, 0, &n));
  Check(n == 0 && StrokeGetLastRowError(1) == NULL, "batch", "an empty array");

  /* Features: wrong width, bad kind, NaN the trees cannot take, too many rows. */
  CHECK_OK(StrokeModelPrepareRecord(model, patient, len, features, 64));
  CHECK_FAILS(StrokeModelPredictFeatures(model, features, 1, n_features + 1,
                                         STROKE_OUTPUT_PROBABILITY, out, 4),
              STROKE_ERROR_INVALID_ARGUMENT, "n_features");
  CHECK_FAILS(StrokeModelPredictFeatures(model, features, 1, n_features, 7, out, 4),
              STROKE_ERROR_INVALID_ARGUMENT, "output_kind");
  CHECK_FAILS(
      StrokeModelPredictFeatures(model, features, 2, n_features, STROKE_OUTPUT_PROBABILITY, out, 3),
      STROKE_ERROR_INVALID_ARGUMENT, "4 are needed");
  CHECK_FAILS(StrokeModelPredictFeatures(model, features, (size_t)-1, n_features,
                                         STROKE_OUTPUT_PROBABILITY, out, 4),
              STROKE_ERROR_INVALID_ARGUMENT, "too large");
  CHECK_FAILS(
      StrokeModelPredictFeatures(model, NULL, 1, n_features, STROKE_OUTPUT_PROBABILITY, out, 4),
      STROKE_ERROR_INVALID_ARGUMENT, "features is NULL");
  CHECK_FAILS(
      StrokeModelPredictFeatures(NULL, features, 1, n_features, STROKE_OUTPUT_PROBABILITY, out, 4),
      STROKE_ERROR_INVALID_ARGUMENT, "model is NULL");
  CHECK_OK(
      StrokeModelPredictFeatures(model, NULL, 0, n_features, STROKE_OUTPUT_PROBABILITY, NULL, 0));
  features[0] = NAN;
  CHECK_FAILS(
      StrokeModelPredictFeatures(model, features, 1, n_features, STROKE_OUTPUT_RAW_MARGIN, out, 4),
      STROKE_ERROR_INVALID_INPUT, "missing (NaN)");
  CHECK_OK(StrokeModelGetFeatureName(model, 0, &text));
  Check(StrokeGetLastRowError(0) == NULL, "features", "row error survived a call");
  StrokeModelPredictFeatures(model, features, 1, n_features, STROKE_OUTPUT_RAW_MARGIN, out, 4);
  Check(StrokeGetLastRowError(0) != NULL && strstr(StrokeGetLastRowError(0), text) != NULL,
        "features", "row 0 does not name feature %s", text);
  Check(isnan(out[0]), "features", "a refused row is not NaN");
  features[0] = 1e300; /* beyond float32: the trees compare float32 */
  CHECK_FAILS(
      StrokeModelPredictFeatures(model, features, 1, n_features, STROKE_OUTPUT_PROBABILITY, out, 4),
      STROKE_ERROR_INVALID_INPUT, "float32");

  /* Explain: NULLs, small buffers, a bad record. */
  double phi[64], base[2];
  CHECK_FAILS(StrokeModelExplainRecord(model, patient, len, phi, n_features - 1, base, 2),
              STROKE_ERROR_INVALID_ARGUMENT, "contributions holds");
  CHECK_FAILS(StrokeModelExplainRecord(model, patient, len, phi, 64, base, 0),
              STROKE_ERROR_INVALID_ARGUMENT, "expected_values holds");
  CHECK_FAILS(StrokeModelExplainRecord(model, patient, len, NULL, 64, base, 2),
              STROKE_ERROR_INVALID_ARGUMENT, "contributions is NULL");
  CHECK_FAILS(StrokeModelExplainRecord(model, bad, strlen(bad), phi, 64, base, 2),
              STROKE_ERROR_INVALID_INPUT, "age");
  CHECK_OK(StrokeModelExplainRecord(model, patient, len, phi, 64, base, 2));
  Check(strcmp(StrokeGetLastError(), "") == 0, "errors", "not cleared by a successful call");
  CHECK_OK(StrokeModelFree(model));
}

static int EndsWith(const char* s, const char* suffix) {
  const size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODELS_DIR [EXPECTED_VERSION]\n", argv[0]);
    return 2;
  }
  const char* version = StrokeVersion();
  printf("libstroke %s\n", version);
  Check(argc < 3 || strcmp(version, argv[2]) == 0, "StrokeVersion", "%s, expected %s", version,
        argc > 2 ? argv[2] : "");
  DIR* dir = opendir(argv[1]);
  Check(dir != NULL, argv[1], "cannot list");
  int bundles = 0;
  for (struct dirent* entry; dir != NULL && (entry = readdir(dir)) != NULL;) {
    if (!EndsWith(entry->d_name, ".bundle.json")) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[1], entry->d_name);
    CheckBundle(path, entry->d_name);
    ++bundles;
  }
  if (dir != NULL) closedir(dir);
  Check(bundles >= 4, argv[1], "%d bundles, expected the 4 shipped ones", bundles);
  CheckErrors(argv[1]);
  if (inexact_softmax > 0) {
    printf(
        "%d multiclass probabilities within 1e-14 of the recorded ones, not equal (numpy's AVX-512 "
        "exp at export)\n",
        inexact_softmax);
  }
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
