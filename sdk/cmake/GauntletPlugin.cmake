# gauntlet_add_plugin(<target> SOURCES <src>... [LINK <libs>...])
#
# Builds a Gauntlet plugin: a MODULE library with hidden visibility that exports exactly one
# symbol (gauntlet_plugin_entry, enforced by a version script), linked with -z defs so that an
# unresolved symbol fails the build instead of failing at load time in the judge. A check after
# the link fails the build when the library does not export exactly that one symbol (e.g. the
# GAUNTLET_PLUGIN macro is missing), naming the fix.
#
# Works in the Gauntlet source tree and from the installed package (find_package(Gauntlet)):
# every helper file is found next to this one.
if(CMAKE_VERSION VERSION_LESS 3.17)  # CMAKE_CURRENT_FUNCTION_LIST_DIR
  message(FATAL_ERROR "gauntlet_add_plugin needs CMake 3.17 or newer")
endif()

function(gauntlet_add_plugin target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "gauntlet_add_plugin(${target}): no SOURCES given")
  endif()
  foreach(lib IN LISTS ARG_LINK)
    if(lib STREQUAL "Gauntlet::sdk_dnnl" AND NOT TARGET Gauntlet::sdk_dnnl)
      message(FATAL_ERROR "gauntlet_add_plugin(${target}): Gauntlet::sdk_dnnl is not defined; "
                          "ask for it with find_package(Gauntlet REQUIRED COMPONENTS dnnl)")
    endif()
  endforeach()
  # Resolved here, not at include time: the function may be called from any directory.
  set(map ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/gauntlet_plugin.map)
  set(check ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/GauntletCheckPlugin.cmake)

  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    PREFIX "lib"
    LINK_DEPENDS ${map})
  if(DEFINED GAUNTLET_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${GAUNTLET_PLUGIN_OUTPUT_DIR})
  endif()
  target_link_options(${target} PRIVATE
    "LINKER:--version-script=${map}"
    "LINKER:-z,defs"
    "LINKER:-z,now")
  if(TARGET Gauntlet::sdk)
    target_link_libraries(${target} PRIVATE Gauntlet::sdk)
  else()
    target_link_libraries(${target} PRIVATE Gauntlet::plugin_api)
  endif()
  if(ARG_LINK)
    target_link_libraries(${target} PRIVATE ${ARG_LINK})
  endif()
  if(CMAKE_NM)
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DPLUGIN=$<TARGET_FILE:${target}> -P ${check}
      VERBATIM)
  endif()
endfunction()
