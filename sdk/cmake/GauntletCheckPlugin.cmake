# cmake -DNM=<nm> -DPLUGIN=<lib.so> -P GauntletCheckPlugin.cmake
#
# Run by gauntlet_add_plugin after the link: a plugin must export gauntlet_plugin_entry and
# nothing else. The judge would refuse the first mistake at load time (LOAD_ERROR); failing
# the build says it sooner, with the fix.
execute_process(COMMAND ${NM} -D --defined-only ${PLUGIN}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gauntlet: cannot list the symbols of ${PLUGIN} (${NM}): ${err}")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${out}")
set(others "")
set(entry FALSE)
foreach(line IN LISTS lines)
  # "<address> <type> <name>": absolute symbols (type A) are version nodes, not exports.
  if(line MATCHES "^[0-9a-fA-F]* *([A-Za-z]) ([^ ]+)$")
    if(CMAKE_MATCH_2 STREQUAL "gauntlet_plugin_entry")
      set(entry TRUE)
    elseif(NOT CMAKE_MATCH_1 STREQUAL "A")
      list(APPEND others ${CMAKE_MATCH_2})
    endif()
  endif()
endforeach()
get_filename_component(name ${PLUGIN} NAME)
if(NOT entry)
  file(REMOVE ${PLUGIN})  # so that the next build tries again instead of keeping a dud
  message(FATAL_ERROR "gauntlet: ${name} does not export gauntlet_plugin_entry, so the judge "
                      "cannot load it. C++: add GAUNTLET_PLUGIN(YourClass, \"name\", \"team\", \"1.0\", "
                      "\"description\") to one source file; C: include <gauntlet/plugin_api.h>, whose declaration "
                      "exports it, and define gauntlet_plugin_entry.")
endif()
if(others)
  list(LENGTH others n)
  list(SUBLIST others 0 5 shown)
  file(REMOVE ${PLUGIN})
  message(FATAL_ERROR "gauntlet: ${name} exports ${n} symbol(s) besides gauntlet_plugin_entry (${shown}...). "
                      "A plugin exports exactly one: do not add your own --version-script, "
                      "--export-dynamic or --dynamic-list link options.")
endif()
