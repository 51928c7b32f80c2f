# The web tests: npm tools pinned in tests/web/package-lock.json, installed
# once into the build tree by the web.npm_tools fixture (SKIPPED without npm or
# the registry, and so are the tests that need them).
# - web.openapi_lint: @redocly/cli lints GET /openapi.json (tests/openapi_lint_test.py).
set(STROKE_WEB_NODE_DIR ${CMAKE_CURRENT_BINARY_DIR}/web-node)
add_test(NAME web.npm_tools COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/web/npm_ci.sh ${STROKE_WEB_NODE_DIR})
set_tests_properties(web.npm_tools PROPERTIES FIXTURES_SETUP web_node SKIP_RETURN_CODE 77 LABELS web TIMEOUT 300)

execute_process(
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/find-python.sh --modules json
  OUTPUT_VARIABLE STROKE_WEB_PYTHON OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(STROKE_WEB_PYTHON)
  add_test(NAME web.openapi_lint
           COMMAND ${STROKE_WEB_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/openapi_lint_test.py
                   --serve $<TARGET_FILE:stroke-serve> --node-dir ${STROKE_WEB_NODE_DIR}
                   --models ${PROJECT_SOURCE_DIR}/models --work-dir ${CMAKE_CURRENT_BINARY_DIR}/openapi-lint-tmp)
else()
  add_test(NAME web.openapi_lint COMMAND sh -c "echo 'SKIPPED web.openapi_lint: no python3' >&2; exit 77")
endif()
set_tests_properties(web.openapi_lint PROPERTIES FIXTURES_REQUIRED web_node SKIP_RETURN_CODE 77 LABELS web TIMEOUT 180)
