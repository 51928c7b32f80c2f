// Internal: appending a large aggregate to a vector without zero-filling or
// copying it first.
#ifndef STROKE_SRC_EMPLACE_AGGREGATE_H_
#define STROKE_SRC_EMPLACE_AGGREGATE_H_

#include <utility>
#include <vector>

namespace stroke::internal {

// A function's result as an argument that is not built until a member is
// initialized from it: through the conversion, that member is the result
// itself (C++17's guaranteed elision), where a result passed as an argument
// is a temporary the member is then moved from - a copy of a Prediction's
// 256-byte array. EmplaceAggregate(v, x, Built{[&] { return F(); }}).
template <typename Make>
struct Built {
  Make make;
  operator decltype(std::declval<Make&>()())() { return make(); }
};
template <typename Make>
Built(Make) -> Built<Make>;

// Appends T{args...} to `v` and returns it. Where the compiler has C++20's
// aggregate initialization with parentheses (GCC 10, Clang 16), it is built
// in place: its unnamed members take their default member initializers, so
// nothing is zero-filled (emplace_back() value-initializes: a memset of the
// whole object first), and a member given as Built{...} is the function's
// result. Elsewhere (the Clang of the sanitizer builds) a temporary is moved
// in: the same value, one copy more. For InputRow and RowScore, ~300 bytes a
// row, most of them a Prediction's array or a Status.
template <typename T, typename... Args>
T& EmplaceAggregate(std::vector<T>& v, Args&&... args) {
#if defined(__cpp_aggregate_paren_init)
  return v.emplace_back(std::forward<Args>(args)...);
#else
  return v.emplace_back(T{std::forward<Args>(args)...});
#endif
}

}  // namespace stroke::internal

#endif  // STROKE_SRC_EMPLACE_AGGREGATE_H_
