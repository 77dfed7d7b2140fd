# The git revision recorded in every manifest (core/Version.h): the short hash of HEAD, "-dirty" when
# tracked files are modified, "unknown" outside a checkout. Computed at configure time and again at
# every build (cmake/WriteVersion.cmake, the synthlabel_version target), so an incremental build
# after a commit or an edit records the revision it was built from; Version.cpp is rewritten only
# when the revision changes (nothing recompiles otherwise).
function(synthlabel_git_revision source_dir out_var)
  set(rev "unknown")
  find_package(Git QUIET)
  if(GIT_FOUND AND EXISTS ${source_dir}/.git)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
      WORKING_DIRECTORY ${source_dir} OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE
      RESULT_VARIABLE rc ERROR_QUIET)
    if(rc EQUAL 0 AND head)
      execute_process(COMMAND ${GIT_EXECUTABLE} status --porcelain --untracked-files=no
        WORKING_DIRECTORY ${source_dir} OUTPUT_VARIABLE dirty ERROR_QUIET)
      set(rev "${head}")
      if(dirty)
        set(rev "${head}-dirty")
      endif()
    endif()
  endif()
  set(${out_var} "${rev}" PARENT_SCOPE)
endfunction()
if(NOT CMAKE_SCRIPT_MODE_FILE)
  synthlabel_git_revision(${PROJECT_SOURCE_DIR} SYNTHLABEL_GIT_REVISION)
endif()
