/* The C API (stroke/c_api.h) from C11: every function, its error paths, and
 * every golden row of every bundle in MODELS_DIR reproduced exactly (==) by
 * each way of predicting. This file: main; the checks are in
 * c_api_golden.c and c_api_errors.c.
 *
 *   c_api_test MODELS_DIR [EXPECTED_VERSION]
 *
 * Exit status 0 when every check passed; each failure is printed. Built by
 * ctest (tests/CMakeLists.txt, against libstroke.so) and by the install test
 * (against the installed library, flags from pkg-config). */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_api_test.h"

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
