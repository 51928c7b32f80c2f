# STROKE_HAVE_LIBFUZZER: the compiler compiles and links a libFuzzer target
# (clang with its runtime; GCC has no libFuzzer). Checked only for the
# top-level project.
set(STROKE_HAVE_LIBFUZZER OFF)
if(STROKE_TOP_LEVEL AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS -fsanitize=fuzzer)
  set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=fuzzer)
  check_cxx_source_compiles([[
    #include <cstddef>
    #include <cstdint>
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }
  ]] STROKE_COMPILER_HAS_LIBFUZZER)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  set(STROKE_HAVE_LIBFUZZER ${STROKE_COMPILER_HAS_LIBFUZZER})
endif()
