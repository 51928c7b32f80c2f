# Python-side tests, run from ctest: the feature-program evaluator (pytest),
# live parity (train, export, predict every row with stroke-predict, compare
# with scikit-learn) and examples/dask_score.py on a local Dask cluster. They
# need an interpreter with scikit-learn (scripts/find-python.sh); where none
# exists they are registered anyway and SKIP with a loud message, so the gap
# shows in every test summary.
execute_process(
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/find-python.sh --with-pytest
  OUTPUT_VARIABLE STROKE_PYTHON_FOUND OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_VARIABLE STROKE_PYTHON_ERROR
  RESULT_VARIABLE STROKE_PYTHON_RESULT)

if(STROKE_PYTHON_RESULT EQUAL 0)
  message(STATUS "Python for python_export tests: ${STROKE_PYTHON_FOUND}")
  # pytest's per-test directories (tmp_path) go to the build tree, emptied at
  # each run, instead of $TMPDIR/pytest-of-$USER, which pytest never empties.
  add_test(NAME python.pytest
           COMMAND ${STROKE_PYTHON_FOUND} -m pytest -q -rs -p no:cacheprovider
                   --basetemp=${CMAKE_CURRENT_BINARY_DIR}/pytest-tmp
                   ${PROJECT_SOURCE_DIR}/python_export/tests)
  # The family-parity tests serve every row through the stroke-predict just built;
  # export-time verification scores through the Python module just built (build/python).
  set_tests_properties(python.pytest PROPERTIES ENVIRONMENT
                       "STROKE_PREDICT=$<TARGET_FILE:stroke-predict>;STROKE_MODULE_PATH=${CMAKE_BINARY_DIR}/python")
  # The original stroke API's client (plain HTTP from Python) against the stroke-serve binary.
  add_test(NAME python.stroke_api_client
           COMMAND ${STROKE_PYTHON_FOUND} ${CMAKE_CURRENT_SOURCE_DIR}/stroke_api_compat_test.py
                   $<TARGET_FILE:stroke-serve>)
  # SIGHUP (logrotate) and SIGTERM against the stroke-serve binary.
  add_test(NAME python.serve_signals
           COMMAND ${STROKE_PYTHON_FOUND} ${CMAKE_CURRENT_SOURCE_DIR}/serve_signals_test.py
                   $<TARGET_FILE:stroke-serve>)
  # A module of the tests package, run from python_export/ (the import root
  # of the package stroke_export and of its tests).
  add_test(NAME python.live_parity
           COMMAND ${STROKE_PYTHON_FOUND} -m tests.live_parity
                   --stroke-predict $<TARGET_FILE:stroke-predict> --seed 7
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/python_export)
  # Retraining through stroke-serve with the real trainer (tests/serve_training_test.cc).
  if(TARGET serve_training_test)
    add_test(NAME python.serve_training COMMAND serve_training_test)
    set_tests_properties(python.serve_training PROPERTIES LABELS python ENVIRONMENT
                         "STROKE_TRAINER_PYTHON=${STROKE_PYTHON_FOUND};STROKE_MODULE_PATH=${CMAKE_BINARY_DIR}/python")
  endif()
  # examples/dask_score.py on a LocalCluster of 2 worker processes (loopback only): every file
  # it writes equals one process's stroke.Model and stroke-predict, bit for bit (docs/dask.md).
  # The test itself says SKIPPED (77) without python3-dask/python3-distributed or the module.
  add_test(NAME python.dask_score
           COMMAND ${STROKE_PYTHON_FOUND} ${CMAKE_CURRENT_SOURCE_DIR}/dask_score_test.py
                   --work-dir ${CMAKE_CURRENT_BINARY_DIR}/dask-score-tmp)
  set_tests_properties(python.dask_score PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180 ENVIRONMENT
                       "STROKE_PREDICT=$<TARGET_FILE:stroke-predict>;STROKE_MODULE_PATH=${CMAKE_BINARY_DIR}/python")
  set_tests_properties(python.pytest python.stroke_api_client python.serve_signals python.live_parity
                       python.dask_score PROPERTIES LABELS python)
  set_tests_properties(python.live_parity PROPERTIES ENVIRONMENT "STROKE_MODULE_PATH=${CMAKE_BINARY_DIR}/python")
else()
  message(WARNING "python_export tests will be SKIPPED: ${STROKE_PYTHON_ERROR}")
  string(REPLACE "\n" " " skip_reason "${STROKE_PYTHON_ERROR}")
  foreach(name python.pytest python.live_parity python.stroke_api_client python.serve_signals python.serve_training
                python.dask_score)
    add_test(NAME ${name} COMMAND sh -c "echo 'SKIPPED ${name}: ${skip_reason}' >&2; exit 77")
    set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS python)
  endforeach()
endif()
