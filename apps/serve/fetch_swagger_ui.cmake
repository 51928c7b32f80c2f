# Fetches swagger-ui-dist's two files into DIR with NPM; never fails the build.
file(MAKE_DIRECTORY ${DIR})
execute_process(COMMAND ${NPM} pack swagger-ui-dist@5 --silent --pack-destination ${DIR}
                WORKING_DIRECTORY ${DIR} RESULT_VARIABLE packed OUTPUT_VARIABLE tarball
                ERROR_QUIET TIMEOUT 120 OUTPUT_STRIP_TRAILING_WHITESPACE)
if(packed EQUAL 0 AND EXISTS ${DIR}/${tarball})
  file(ARCHIVE_EXTRACT INPUT ${DIR}/${tarball} DESTINATION ${DIR}/extract
       PATTERNS package/swagger-ui-bundle.js package/swagger-ui.css)
  file(COPY ${DIR}/extract/package/swagger-ui-bundle.js ${DIR}/extract/package/swagger-ui.css DESTINATION ${DIR})
  file(REMOVE_RECURSE ${DIR}/extract ${DIR}/${tarball})
  message(STATUS "swagger-ui-dist fetched: GET /docs renders with Swagger UI")
else()
  message(STATUS "swagger-ui-dist not fetched (npm or the registry unavailable): GET /docs is a plain page")
endif()
file(TOUCH ${DIR}/fetched.stamp)
