# gauntlet_add_plugin(<target> SOURCES <src>... [LINK <libs>...])
#
# Builds a Gauntlet plugin: a MODULE library with hidden visibility that exports exactly one
# symbol (gauntlet_plugin_entry, enforced by a version script), linked with -z defs so that an
# unresolved symbol fails the build instead of failing at load time in the judge.
set(_GAUNTLET_PLUGIN_MAP ${CMAKE_CURRENT_LIST_DIR}/gauntlet_plugin.map)

function(gauntlet_add_plugin target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    PREFIX "lib"
    LINK_DEPENDS ${_GAUNTLET_PLUGIN_MAP})
  if(DEFINED GAUNTLET_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${GAUNTLET_PLUGIN_OUTPUT_DIR})
  endif()
  target_link_options(${target} PRIVATE
    "LINKER:--version-script=${_GAUNTLET_PLUGIN_MAP}"
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
endfunction()
