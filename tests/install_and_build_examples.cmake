# ctest script: install libstroke into the build tree, build examples/ as an
# outside project with find_package(stroke), and run what was installed.
# Inputs: BUILD_DIR, SOURCE_DIR.
set(prefix "${BUILD_DIR}/test-install")
set(examples_build "${BUILD_DIR}/test-examples")
file(REMOVE_RECURSE "${prefix}" "${examples_build}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("$ ${ARGN}\n${out}${err}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGN}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples" -B "${examples_build}" -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build "${examples_build}")
run("${examples_build}/embed")
if(NOT last_output MATCHES "probability 0\\.[0-9]+ -> class [01]")
  message(FATAL_ERROR "embed printed no prediction")
endif()
# The installed stroke-predict must find the installed default bundle.
run("${prefix}/bin/stroke-predict" info --output json)
if(NOT last_output MATCHES "\"path\": \"${prefix}/share/stroke/models/stroke.bundle.json\"")
  message(FATAL_ERROR "installed stroke-predict did not use the installed bundle")
endif()
