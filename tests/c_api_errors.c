/* The C API's error paths on the stroke model: NULLs, small buffers, bad
 * records and rows, each a code plus a message naming what was wrong. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_api_test.h"

/* A stroke record with its age left as %s. */
static const char kPatientWithAge[] =
    "{\"gender\": \"Male\", \"age\": %s, \"hypertension\": false, \"heart_disease\": true, "
    "\"ever_married\": \"Yes\", \"work_type\": \"Private\", \"Residence_type\": \"Urban\", "
    "\"avg_glucose_level\": 228.69, \"bmi\": 36.6, \"smoking_status\": \"formerly smoked\"}";

/* Every error path, on the stroke model. */
void CheckErrors(const char* models_dir) {
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
  /* CSV with a header, read as stroke-predict reads it: the same answer as the record. */
  snprintf(batch, sizeof batch,
           "gender,age,hypertension,heart_disease,ever_married,work_type,Residence_type,"
           "avg_glucose_level,bmi,smoking_status\r\nMale,67,false,true,Yes,Private,Urban,228.69,36.6,"
           "formerly smoked\r\n");
  CHECK_OK(StrokeModelPredictBatch(model, batch, strlen(batch), rows, 6, &n));
  Check(n == 1 && rows[0] == out[0] && rows[1] == out[1], "batch", "CSV: %zu rows, %.17g", n, rows[1]);
  CHECK_FAILS(StrokeModelPredictBatch(model, "gender,age\nMale,67\n", 19, rows, 6, &n),
              STROKE_ERROR_INVALID_INPUT, "CSV header lacks");
  Check(n == 0, "batch", "a CSV header without the inputs gave %zu rows", n);
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
