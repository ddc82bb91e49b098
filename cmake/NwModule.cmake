# nw_add_module(NAME SOURCES... [PRIVATE_LIBS libs...])
# Creates the library nw_<NAME> (alias nw::<NAME>) and links it against the modules
# declared in NW_DEPS_<NAME> in the top-level CMakeLists.txt. Third-party libraries that
# must not leak into other modules' interfaces go in PRIVATE_LIBS.
function(nw_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PRIVATE_LIBS;PUBLIC_LIBS" ${ARGN})
  if(NOT DEFINED NW_DEPS_${name})
    message(FATAL_ERROR "module '${name}' is not declared in NW_MODULES / NW_DEPS_${name}")
  endif()
  add_library(nw_${name} STATIC ${ARG_SOURCES})
  add_library(nw::${name} ALIAS nw_${name})
  target_include_directories(nw_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  foreach(dep IN LISTS NW_DEPS_${name})
    target_link_libraries(nw_${name} PUBLIC nw_${dep})
  endforeach()
  target_link_libraries(nw_${name} PRIVATE ${ARG_PRIVATE_LIBS} PUBLIC ${ARG_PUBLIC_LIBS})
endfunction()
