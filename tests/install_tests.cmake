# `cmake --install` gives a package an outside project finds with
# find_package(stroke): prove it by building examples/ against it.
# The same install is used through pkg-config (the C test against the shared
# and the static library, a C++ consumer of the static one), and searched for
# paths of the build or source tree. pkg-config is found by apps/serve.
add_test(NAME install.find_package_examples
         COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                 -DLIBDIR=${CMAKE_INSTALL_LIBDIR} -DVERSION=${PROJECT_VERSION}
                 -DC_COMPILER=${CMAKE_C_COMPILER} -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
                 -DPKG_CONFIG=${PKG_CONFIG_EXECUTABLE} -DOBJCOPY=${CMAKE_OBJCOPY}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/install_and_build_examples.cmake)
set_tests_properties(install.find_package_examples PROPERTIES TIMEOUT 300 LABELS install)
