// Internal: the one message for a bundle over a LoadOptions limit.
#ifndef STROKE_SRC_LOAD_LIMITS_H_
#define STROKE_SRC_LOAD_LIMITS_H_

#include <cstddef>
#include <string>

namespace stroke {

// "<what> exceeds the limit of <limit> (LoadOptions.<option>; --<option>
// in stroke-predict and stroke-serve)", the flag spelled with dashes.
// `what` carries the value: "depth 10001", "feature count 70000".
inline std::string OverLimit(const std::string& what, size_t limit, const char* option) {
  std::string flag = option;
  for (char& c : flag) c = c == '_' ? '-' : c;
  return what + " exceeds the limit of " + std::to_string(limit) + " (LoadOptions." + option + "; --" + flag +
         " in stroke-predict and stroke-serve)";
}

}  // namespace stroke

#endif  // STROKE_SRC_LOAD_LIMITS_H_
