# Installs the library, its headers, the CMake package (find_package(stroke)),
# the apps and the bundled models.
include(CMakePackageConfigHelpers)

install(TARGETS stroke stroke_shared EXPORT strokeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY libstroke/include/stroke DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT strokeTargets NAMESPACE stroke::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stroke)

if(STROKE_BUILD_SHARED)
  set(STROKE_DEFAULT_LIBRARY stroke_shared)
else()
  set(STROKE_DEFAULT_LIBRARY stroke_static)
endif()
configure_package_config_file(cmake/strokeConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/strokeConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stroke
  PATH_VARS STROKE_INSTALL_MODELS_DIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/strokeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/strokeConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/strokeConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stroke)

# pkg-config: <libdir>/pkgconfig/stroke.pc, finding the prefix relative to itself
# (so `cmake --install --prefix` anywhere, and DESTDIR, give a working file).
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(STROKE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(STROKE_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH up "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
  string(REGEX REPLACE "/$" "" up "${up}")  # "../.."
  set(STROKE_PC_PREFIX "\${pcfiledir}/${up}")
  set(STROKE_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(STROKE_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(STROKE_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/stroke.pc.in ${CMAKE_CURRENT_BINARY_DIR}/stroke.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/stroke.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

file(GLOB STROKE_BUNDLED_MODELS ${PROJECT_SOURCE_DIR}/models/*.bundle.json)
install(FILES ${STROKE_BUNDLED_MODELS} DESTINATION ${STROKE_INSTALL_MODELS_DIR})
if(STROKE_BUILD_APPS)
  install(TARGETS stroke-predict stroke-serve RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  # Swagger UI for GET /docs and Chart.js for /ui, when the build could fetch them.
  install(FILES ${STROKE_BUILD_SWAGGER_UI_DIR}/swagger-ui-bundle.js ${STROKE_BUILD_SWAGGER_UI_DIR}/swagger-ui.css
          DESTINATION ${CMAKE_INSTALL_DATADIR}/stroke/swagger-ui OPTIONAL)
  install(FILES ${STROKE_BUILD_UI_DIR}/chart.umd.js DESTINATION ${CMAKE_INSTALL_DATADIR}/stroke/ui OPTIONAL)
endif()
