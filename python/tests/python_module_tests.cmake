# ctest: pytest over python/tests with the module just built (PYTHONPATH =
# build/python) and the interpreter it was built for; the client's tests
# (test_client.py, against stroke-serve processes) on their own; and an install check
# (cmake --install, then import stroke from the installed tree). Without
# numpy, pandas or pytest they are registered anyway and SKIP loudly.
execute_process(COMMAND ${Python_EXECUTABLE} -c "import numpy, pandas, pytest"
                RESULT_VARIABLE missing OUTPUT_QUIET ERROR_QUIET)
set(module_tests python.module python.client)
if(STROKE_INSTALL)
  list(APPEND module_tests python.module_install)
endif()
if(missing)
  message(WARNING "Python module tests will be SKIPPED: ${Python_EXECUTABLE} lacks numpy, pandas or pytest "
                  "(apt-get install python3-numpy python3-pandas python3-pytest)")
  foreach(name ${module_tests})
    add_test(NAME ${name} COMMAND sh -c "echo 'SKIPPED ${name}: ${Python_EXECUTABLE} lacks numpy, pandas or pytest' >&2; exit 77")
    set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS python)
  endforeach()
  return()
endif()

set(environment "PYTHONPATH=${CMAKE_CURRENT_BINARY_DIR}" "STROKE_MODELS_DIR=${STROKE_MODELS_DIR}"
                "STROKE_TEST_DATA_DIR=${PROJECT_SOURCE_DIR}/tests/data")
if(TARGET stroke-predict)  # the tests compare with its answers; without it they say SKIPPED
  list(APPEND environment "STROKE_PREDICT=$<TARGET_FILE:stroke-predict>")
endif()
add_test(NAME python.module
         COMMAND ${Python_EXECUTABLE} -m pytest -q -rs -p no:cacheprovider
                 --ignore=${CMAKE_CURRENT_SOURCE_DIR}/tests/test_client.py ${CMAKE_CURRENT_SOURCE_DIR}/tests)
set_tests_properties(python.module PROPERTIES ENVIRONMENT "${environment}" TIMEOUT 600 LABELS python)

# stroke.Client against stroke-serve processes the tests start (without the binary they say SKIPPED).
set(client_environment ${environment})
if(TARGET stroke-serve)
  list(APPEND client_environment "STROKE_SERVE=$<TARGET_FILE:stroke-serve>")
endif()
add_test(NAME python.client
         COMMAND ${Python_EXECUTABLE} -m pytest -q -rs -p no:cacheprovider ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_client.py)
set_tests_properties(python.client PROPERTIES ENVIRONMENT "${client_environment}" TIMEOUT 300 LABELS python)

if(STROKE_INSTALL)
  add_test(NAME python.module_install
           COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR} -DPYTHON=${Python_EXECUTABLE}
                   -DPYTHONDIR=${STROKE_INSTALL_PYTHONDIR} -DMODELS_DIR=${STROKE_MODELS_DIR}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/install_import.cmake)
  set_tests_properties(python.module_install PROPERTIES TIMEOUT 300 LABELS python)
endif()
