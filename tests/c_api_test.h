/* Shared by the C API test's files (tests/c_api_*.c): the check counters and
 * macros, file reading, and just enough JSON to read a bundle's golden rows. */
#ifndef STROKE_TESTS_C_API_TEST_H_
#define STROKE_TESTS_C_API_TEST_H_

#include <stddef.h>

#include "stroke/c_api.h"

extern int failures; /* failed checks so far */
extern int checks;   /* checks so far */
/* Multiclass probabilities within 1e-14 of the recorded ones, not equal
 * (numpy's AVX-512 exp at export; see c_api_golden.c). */
extern int inexact_softmax;

/* Counts a check; prints "FAIL where: <format...>" when !ok. */
void Check(int ok, const char* where, const char* format, ...);
/* A call that must succeed; its error message otherwise. */
#define CHECK_OK(call) Check((call) == STROKE_OK, #call, "%s", StrokeGetLastError())
/* A call that must fail with `code` and a message containing `needle`. */
#define CHECK_FAILS(call, code, needle) ExpectFailure((call), (code), (needle), #call)
void ExpectFailure(int got, int code, const char* needle, const char* where);

/* The whole file (malloc'ed, not NUL-terminated; *length bytes), or NULL. */
char* ReadFile(const char* path, size_t* length);

/* A position in JSON text. */
typedef struct {
  const char* p;
  const char* end;
} Cursor;
/* The value of `key` in the object starting at `object`, or a cursor with p == NULL. */
Cursor Member(Cursor object, const char* key);
/* Moves past the value at `c` (and the blanks before it). */
void SkipValue(Cursor* c);
void SkipSpace(Cursor* c);
/* The text of the value at `c`, without whitespace outside strings, appended to `out`. */
void AppendCompact(Cursor c, char* out);

/* Every golden row of the bundle at `path` reproduced by every way of predicting (c_api_golden.c). */
void CheckBundle(const char* path, const char* name);
/* Every error path, on MODELS_DIR's stroke model (c_api_errors.c). */
void CheckErrors(const char* models_dir);

#endif /* STROKE_TESTS_C_API_TEST_H_ */
