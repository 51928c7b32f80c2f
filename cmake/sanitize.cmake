# STROKE_SANITIZE: build libstroke, the apps, the tests and the fuzz targets
# with -fsanitize=<list>, e.g. "address,undefined" or "thread" (not both: the
# runtimes exclude each other). Any undefined behaviour aborts the program
# instead of printing and going on. scripts/sanitize-check.sh uses it in a
# build tree of its own; docs/testing.md has the commands.
set(STROKE_SANITIZE "" CACHE STRING "Build with -fsanitize=<list>: address,undefined | thread | \"\" (none)")
if(STROKE_SANITIZE)
  if(STROKE_SANITIZE MATCHES "thread" AND STROKE_SANITIZE MATCHES "address")
    message(FATAL_ERROR "STROKE_SANITIZE=${STROKE_SANITIZE}: thread and address cannot be combined")
  endif()
  set(stroke_sanitize_flags -fsanitize=${STROKE_SANITIZE} -fno-omit-frame-pointer)
  if(STROKE_SANITIZE MATCHES "undefined")
    list(APPEND stroke_sanitize_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${stroke_sanitize_flags})
  add_link_options(-fsanitize=${STROKE_SANITIZE})
  # clang links a C program (tests/c_api_test) with the C runtime of the
  # sanitizers only; the C++ library it loads needs the C++ part (UBSan's vptr
  # checks). g++ links both anyway.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_link_options($<$<LINK_LANGUAGE:C>:-fsanitize-link-c++-runtime> $<$<LINK_LANGUAGE:C>:-lstdc++>)
  endif()
  message(STATUS "Sanitizers: ${stroke_sanitize_flags}")
endif()
