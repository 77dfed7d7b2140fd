# synthlabel_warnings: an INTERFACE target every project target links PRIVATE.
add_library(synthlabel_warnings INTERFACE)
target_compile_options(synthlabel_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion)
if(SYNTHLABEL_WERROR)
  target_compile_options(synthlabel_warnings INTERFACE -Werror)
endif()
