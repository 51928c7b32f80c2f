# ctest script: install libstroke into the build tree and use the installed
# tree as outside projects do:
#   1. examples/ built with find_package(stroke), run;
#   2. the installed stroke-predict finds the installed default bundle;
#   3. pkg-config: tests/c_api_*.c (C11) against libstroke.so, and against
#      libstroke.a with --static; tests/install_consumer.cc (C++20) and
#      tests/cxx17_consumer.cc (C++17, -pedantic -Werror) against libstroke.a;
#      each run on the installed bundles. libstroke.a is named (-l:libstroke.a)
#      rather than taken with -static: its dependency simdjson comes from
#      Debian as a shared library only, so no program linking libstroke.a is
#      fully static; each must still not load libstroke.so;
#   4. nothing installed refers to the build or source tree (RUNPATH, strings).
# Inputs: BUILD_DIR, SOURCE_DIR, LIBDIR (CMAKE_INSTALL_LIBDIR), VERSION,
# C_COMPILER, CXX_COMPILER, PKG_CONFIG, OBJCOPY (may be empty).
cmake_minimum_required(VERSION 3.20)  # policies of this version (IN_LIST)
set(prefix "${BUILD_DIR}/test-install")
set(examples_build "${BUILD_DIR}/test-examples")
set(consumers "${BUILD_DIR}/test-consumers")
file(REMOVE_RECURSE "${prefix}" "${examples_build}" "${consumers}")
file(MAKE_DIRECTORY "${consumers}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("$ ${ARGN}\n${out}${err}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGN}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

# 1. find_package(stroke)
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples" -B "${examples_build}" -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build "${examples_build}")
run("${examples_build}/embed")
if(NOT last_output MATCHES "probability 0\\.[0-9]+ -> class [01]")
  message(FATAL_ERROR "embed printed no prediction")
endif()

# 2. The installed stroke-predict must find the installed default bundle.
run("${prefix}/bin/stroke-predict" info --output json)
if(NOT last_output MATCHES "\"path\": \"${prefix}/share/stroke/models/stroke.bundle.json\"")
  message(FATAL_ERROR "installed stroke-predict did not use the installed bundle")
endif()

# 3. pkg-config, with only the installed stroke.pc on its path.
set(pkg_env ${CMAKE_COMMAND} -E env "PKG_CONFIG_PATH=${prefix}/${LIBDIR}/pkgconfig")
function(pkg_flags out_var)
  run(${pkg_env} ${PKG_CONFIG} ${ARGN} stroke)
  separate_arguments(flags UNIX_COMMAND "${last_output}")
  set(${out_var} ${flags} PARENT_SCOPE)
endfunction()
pkg_flags(shared_flags --cflags --libs)
pkg_flags(static_flags --static --cflags --libs)
list(TRANSFORM static_flags REPLACE "^-lstroke$" "-l:libstroke.a")
if(NOT "-l:libstroke.a" IN_LIST static_flags OR NOT "-lsimdjson" IN_LIST static_flags)
  message(FATAL_ERROR "pkg-config --static --libs stroke names no -lstroke or no -lsimdjson: ${static_flags}")
endif()
run(${pkg_env} ${PKG_CONFIG} --modversion stroke)
if(NOT last_output STREQUAL "${VERSION}\n")
  message(FATAL_ERROR "stroke.pc has version ${last_output}, expected ${VERSION}")
endif()
set(models "${prefix}/share/stroke/models")

# 3a. The C test against libstroke.so (the consumer chooses its RUNPATH).
set(c_api_test_sources "${SOURCE_DIR}/tests/c_api_test.c" "${SOURCE_DIR}/tests/c_api_check.c"
    "${SOURCE_DIR}/tests/c_api_golden.c" "${SOURCE_DIR}/tests/c_api_errors.c")
run(${C_COMPILER} -std=c11 -pedantic -Wall -o "${consumers}/c_api_test_shared" ${c_api_test_sources}
    ${shared_flags} -lm "-Wl,-rpath,${prefix}/${LIBDIR}")
file(GET_RUNTIME_DEPENDENCIES EXECUTABLES "${consumers}/c_api_test_shared" RESOLVED_DEPENDENCIES_VAR deps)
if(NOT "${prefix}/${LIBDIR}/libstroke.so.${VERSION}" IN_LIST deps AND
   NOT "${prefix}/${LIBDIR}/libstroke.so.0" IN_LIST deps)
  message(FATAL_ERROR "c_api_test_shared does not load the installed libstroke.so: ${deps}")
endif()
run("${consumers}/c_api_test_shared" "${models}" "${VERSION}")

# A consumer of libstroke.a: it must not load libstroke.so.
function(expect_static_libstroke executable)
  file(GET_RUNTIME_DEPENDENCIES EXECUTABLES "${executable}" RESOLVED_DEPENDENCIES_VAR deps)
  if(deps MATCHES "libstroke\\.so")
    message(FATAL_ERROR "${executable} loads libstroke.so, not libstroke.a: ${deps}")
  endif()
endfunction()

# 3b. The same C test against libstroke.a: --static's flags must be all it needs.
run(${C_COMPILER} -std=c11 -o "${consumers}/c_api_test_static" ${c_api_test_sources}
    ${static_flags} -lm)
expect_static_libstroke("${consumers}/c_api_test_static")
run("${consumers}/c_api_test_static" "${models}" "${VERSION}")

# 3c. A C++ consumer of libstroke.a.
run(${CXX_COMPILER} -std=c++20 -o "${consumers}/install_consumer" "${SOURCE_DIR}/tests/install_consumer.cc"
    ${static_flags})
expect_static_libstroke("${consumers}/install_consumer")
run("${consumers}/install_consumer" "${models}/stroke.bundle.json")
if(NOT last_output MATCHES "libstroke ${VERSION}: probability 0\\.[0-9]+")
  message(FATAL_ERROR "install_consumer printed no prediction")
endif()

# 3d. A C++17 consumer of the installed headers (-pedantic -Werror): they ask for no C++20.
run(${CXX_COMPILER} -std=c++17 -pedantic -Wall -Wextra -Werror -o "${consumers}/cxx17_consumer"
    "${SOURCE_DIR}/tests/cxx17_consumer.cc" ${static_flags})
expect_static_libstroke("${consumers}/cxx17_consumer")
run("${consumers}/cxx17_consumer" "${models}/stroke.bundle.json")
if(NOT last_output MATCHES "C\\+\\+17 consumer: probability 0\\.[0-9]+")
  message(FATAL_ERROR "cxx17_consumer printed no prediction")
endif()

# 4. Installed binaries never search the build or source tree: no RUNPATH
#    into them, no path of them compiled in (debug info aside: it names the
#    sources by design, so it is stripped from the copy that is searched).
file(GLOB installed "${prefix}/bin/*" "${prefix}/${LIBDIR}/libstroke.so.*.*")
foreach(binary IN LISTS installed)
  unset(runpath)  # READ_ELF leaves a variable untouched when there is no such entry
  unset(rpath)
  file(READ_ELF "${binary}" RUNPATH runpath RPATH rpath)
  message("${binary}: RUNPATH '${runpath}' RPATH '${rpath}'")
  foreach(tree "${SOURCE_DIR}" "${BUILD_DIR}")
    string(FIND "${runpath};${rpath}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${binary} has a run path into ${tree}: ${runpath}${rpath}")
    endif()
  endforeach()
  set(searched "${binary}")
  if(OBJCOPY)
    get_filename_component(name "${binary}" NAME)
    set(searched "${consumers}/${name}.stripped")
    run(${OBJCOPY} --strip-debug "${binary}" "${searched}")
  endif()
  file(STRINGS "${searched}" hits REGEX "${SOURCE_DIR}|${BUILD_DIR}")
  if(hits)
    message(FATAL_ERROR "${binary} holds paths of the build or source tree: ${hits}")
  endif()
endforeach()
list(LENGTH installed count)
if(count LESS 3)
  message(FATAL_ERROR "expected stroke-predict, stroke-serve and libstroke.so, found ${installed}")
endif()
