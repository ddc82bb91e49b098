# Records the git revision and build options in a generated source file, for --version and
# provenance. Re-run at configure time; 'unknown' outside a git checkout.
execute_process(
  COMMAND git describe --always --dirty --abbrev=12
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  OUTPUT_VARIABLE NW_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET RESULT_VARIABLE _nw_git_rc)
if(NOT _nw_git_rc EQUAL 0 OR NW_GIT_REVISION STREQUAL "")
  set(NW_GIT_REVISION "unknown")
endif()
string(TOUPPER "${CMAKE_BUILD_TYPE}" _nw_bt)
set(NW_BUILD_OPTIONS "${CMAKE_BUILD_TYPE}; ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}; flags: ${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_nw_bt}}; sanitize=${NW_SANITIZE}; werror=${NW_WERROR}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/build_info.cpp.in ${PROJECT_BINARY_DIR}/generated/build_info.cpp @ONLY)
