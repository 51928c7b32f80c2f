# deploy/ (Dockerfile, compose, Kubernetes, KServe) checked against the README,
# `cmake --install` and the installed stroke-serve (tests/deploy_test.py; no
# container engine or cluster needed). Python with PyYAML (Debian's python3-yaml);
# without it the test is registered anyway and SKIPs loudly.
execute_process(
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/find-python.sh --modules yaml
  OUTPUT_VARIABLE STROKE_YAML_PYTHON OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_VARIABLE STROKE_YAML_PYTHON_ERROR
  RESULT_VARIABLE STROKE_YAML_PYTHON_RESULT)
if(STROKE_YAML_PYTHON_RESULT EQUAL 0)
  add_test(NAME deploy.files_against_program
           COMMAND ${STROKE_YAML_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/deploy_test.py
                   --build-dir ${PROJECT_BINARY_DIR} --cmake ${CMAKE_COMMAND}
                   --work-dir ${CMAKE_CURRENT_BINARY_DIR}/deploy-tmp)
else()
  string(REPLACE "\n" " " skip_reason "${STROKE_YAML_PYTHON_ERROR}")
  add_test(NAME deploy.files_against_program
           COMMAND sh -c "echo 'SKIPPED deploy.files_against_program: ${skip_reason}' >&2; exit 77")
  set_tests_properties(deploy.files_against_program PROPERTIES SKIP_RETURN_CODE 77)
endif()
set_tests_properties(deploy.files_against_program PROPERTIES LABELS deploy TIMEOUT 120)
