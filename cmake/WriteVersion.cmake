# cmake -DSOURCE_DIR=... -DIN=Version.cpp.in -DOUT=.../Version.cpp -DPROJECT_VERSION=... -P WriteVersion.cmake
# Writes Version.cpp with the current git revision (cmake/Version.cmake); configure_file leaves the
# file untouched when its content is the same, so nothing recompiles unless the revision changed.
include(${CMAKE_CURRENT_LIST_DIR}/Version.cmake)
synthlabel_git_revision(${SOURCE_DIR} SYNTHLABEL_GIT_REVISION)
configure_file(${IN} ${OUT} @ONLY)
