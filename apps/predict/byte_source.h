// Where stroke-predict's input bytes come from: standard input or a file
// (read(2) on a descriptor, so a pipe that pauses can be noticed), or any
// std::istream (tests).
#ifndef STROKE_APPS_PREDICT_BYTE_SOURCE_H_
#define STROKE_APPS_PREDICT_BYTE_SOURCE_H_

#include <cstdint>
#include <istream>
#include <memory>
#include <string>

#include "stroke/status.h"

namespace stroke::apps {

// One reader's input. Not thread-safe: one thread reads it.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `buffer`, waiting until at least one is
  // there; 0 at the end of the input. kIoError when the read fails.
  virtual StatusOr<size_t> Read(char* buffer, size_t n) = 0;
  // True when a Read would not wait (bytes or the end are there); false
  // when the input is idle (a pipe whose writer pauses).
  virtual bool Ready() = 0;
  // The input's total size when known in advance (a regular file), else 0.
  virtual uint64_t Size() const = 0;
};

// Reads descriptor `fd` (not closed: the caller owns it), e.g. 0 for stdin.
std::unique_ptr<ByteSource> DescriptorSource(int fd);

// Opens and reads the file `path`; kIoError naming it when it cannot be opened.
StatusOr<std::unique_ptr<ByteSource>> FileSource(const std::string& path);

// Reads `in` (which must outlive it); always Ready, size unknown.
std::unique_ptr<ByteSource> StreamSource(std::istream& in);

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_BYTE_SOURCE_H_
