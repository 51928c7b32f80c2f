/* The C API test's checks, file reading and JSON cursor (c_api_test.h). */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_api_test.h"

int failures = 0;
int checks = 0;

void Check(int ok, const char* where, const char* format, ...) {
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

void ExpectFailure(int got, int code, const char* needle, const char* where) {
  const char* message = StrokeGetLastError();
  Check(got == code, where, "returned %d, expected %d (message: %s)", got, code, message);
  Check(strstr(message, needle) != NULL, where, "message \"%s\" lacks \"%s\"", message, needle);
}

char* ReadFile(const char* path, size_t* length) {
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
void SkipSpace(Cursor* c) {
  while (c->p < c->end && strchr(" \t\r\n", *c->p) != NULL) ++c->p;
}

void SkipValue(Cursor* c) {
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
Cursor Member(Cursor object, const char* key) {
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
void AppendCompact(Cursor c, char* out) {
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
