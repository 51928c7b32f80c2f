# `cmake --install` gives a package an outside project finds with
# find_package(stroke): prove it by building examples/ against it.
add_test(NAME install.find_package_examples
         COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/install_and_build_examples.cmake)
set_tests_properties(install.find_package_examples PROPERTIES TIMEOUT 300 LABELS install)
