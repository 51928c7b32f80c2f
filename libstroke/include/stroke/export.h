// STROKE_EXPORT marks the public API. The library is built with hidden
// visibility; only declarations marked here are exported from a shared build.
#ifndef STROKE_EXPORT_H_
#define STROKE_EXPORT_H_

#if defined(STROKE_SHARED_LIBRARY) && defined(STROKE_COMPILE_LIBRARY)
#define STROKE_EXPORT [[gnu::visibility("default")]]
#else
#define STROKE_EXPORT
#endif

#endif  // STROKE_EXPORT_H_
