// Span<T>: a non-owning view of contiguous values (a pointer and a count),
// the C++17 stand-in for std::span in libstroke's public API. It converts
// implicitly from anything with data() and size() - std::vector, std::array,
// std::span, another Span - and from C arrays, so call sites read the same
// whatever the caller holds:
//
//   std::vector<double> features(model.num_features());
//   model.Prepare(record, features);                      // Span<double>
//   model.PredictFeatures(features);                      // Span<const double>
//   model.PredictFeatures({row_pointer, row_width});      // pointer + size
//
// A Span never owns or frees its values: they must outlive it. Copying one
// is copying two words; it is as thread-safe as the values it views.
#ifndef STROKE_SPAN_H_
#define STROKE_SPAN_H_

#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>

namespace stroke {

template <typename T>
class Span {
  // Whether a container's data() points to values a Span<T> may view
  // (a Span<const double> views doubles; a Span<double> never const ones).
  template <typename C>
  using DataPointer = decltype(std::data(std::declval<C&>()));
  template <typename C>
  using EnableIfContainer = std::enable_if_t<
      std::is_convertible_v<DataPointer<C>, T*> &&
      std::is_same_v<std::remove_cv_t<std::remove_pointer_t<DataPointer<C>>>, std::remove_cv_t<T>> &&
      std::is_convertible_v<decltype(std::size(std::declval<C&>())), size_t>>;

 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;
  using size_type = size_t;
  using iterator = T*;

  // Empty: data() is nullptr, size() 0.
  constexpr Span() noexcept = default;
  // `size` values starting at `data` (which may be nullptr when size is 0).
  constexpr Span(T* data, size_t size) noexcept : data_(data), size_(size) {}
  // Every element of a C array.
  template <size_t N>
  constexpr Span(T (&array)[N]) noexcept : data_(array), size_(N) {}  // NOLINT: implicit by design
  // Every element of a container with data() and size() (vector, array, std::span, Span).
  template <typename C, typename = EnableIfContainer<C>>
  constexpr Span(C& container) noexcept  // NOLINT: implicit by design
      : data_(std::data(container)), size_(std::size(container)) {}
  template <typename C, typename = EnableIfContainer<const C>>
  constexpr Span(const C& container) noexcept  // NOLINT: implicit by design
      : data_(std::data(container)), size_(std::size(container)) {}

  constexpr T* data() const noexcept { return data_; }
  constexpr size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  // Precondition: i < size().
  constexpr T& operator[](size_t i) const noexcept { return data_[i]; }
  constexpr T* begin() const noexcept { return data_; }
  constexpr T* end() const noexcept { return data_ + size_; }
  // `count` values from `offset`. Precondition: offset + count <= size().
  constexpr Span subspan(size_t offset, size_t count) const noexcept { return Span(data_ + offset, count); }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace stroke

#endif  // STROKE_SPAN_H_
