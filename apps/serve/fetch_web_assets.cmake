# Installs web/'s npm packages with `npm ci` (the exact versions and sha512
# hashes of web/package-lock.json, no install scripts) in WORK, a copy of
# web/ in the build tree, then copies the files stroke-serve serves:
# swagger-ui-bundle.js and swagger-ui.css into SWAGGER_UI_DIR (GET /docs),
# chart.umd.js into UI_DIR (GET /ui's charts). Never fails the build: without
# npm or the registry it says so, and /docs is a plain page, /ui draws tables.
# Arguments: NPM, WEB, WORK, SWAGGER_UI_DIR, UI_DIR.
file(MAKE_DIRECTORY ${WORK} ${SWAGGER_UI_DIR} ${UI_DIR})
file(COPY ${WEB}/package.json ${WEB}/package-lock.json DESTINATION ${WORK})
execute_process(COMMAND ${NPM} ci --ignore-scripts --no-audit --no-fund
                WORKING_DIRECTORY ${WORK} RESULT_VARIABLE installed OUTPUT_QUIET ERROR_VARIABLE npm_error TIMEOUT 300)
set(modules ${WORK}/node_modules)
if(installed EQUAL 0 AND EXISTS ${modules}/swagger-ui-dist/swagger-ui-bundle.js AND EXISTS ${modules}/chart.js/dist/chart.umd.js)
  file(COPY ${modules}/swagger-ui-dist/swagger-ui-bundle.js ${modules}/swagger-ui-dist/swagger-ui.css
       DESTINATION ${SWAGGER_UI_DIR})
  file(COPY ${modules}/chart.js/dist/chart.umd.js DESTINATION ${UI_DIR})
  message(STATUS "web assets installed (web/package-lock.json): /docs renders with Swagger UI, /ui draws charts")
else()
  string(REGEX MATCH "code [A-Z0-9_]+" reason "${npm_error}")  # EINTEGRITY, ENOTFOUND, ...
  message(STATUS "web assets not installed (npm ci: exit ${installed} ${reason}): "
                 "GET /docs is a plain page and /ui shows tables instead of charts")
endif()
file(TOUCH ${WORK}/fetched.stamp)
