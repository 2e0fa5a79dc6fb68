# The installed copy of a guide: links into the repository (../plugin_api/..., ../docs/...,
# ../sample_plugins, ../examples/...) become links to where `cmake --install` puts those files,
# relative to the documentation folder, so that they resolve in an installed SDK too.
file(RELATIVE_PATH _gauntlet_doc_to_include /prefix/${CMAKE_INSTALL_DOCDIR} /prefix/${CMAKE_INSTALL_INCLUDEDIR})
set(_gauntlet_doc_links
    "../plugin_api/include/gauntlet/" "${_gauntlet_doc_to_include}/gauntlet/"
    "../docs/results.md" "results.md"
    "../docs/performance.md" "performance.md"
    "../tests/compat/README.md" "compat.md"
    "../tests/bad_inputs/README.md" "bad_inputs.md"
    "../sample_plugins" "examples/sample_plugins"
    "../examples/pytorch/" "examples/pytorch/"
    "README.md" "SDK.md")  # ONNX.md names the team guide by its repository name

# gauntlet_installed_doc(<source .md in this folder> <installed name>)
function(gauntlet_installed_doc source name)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${source})
  file(READ ${CMAKE_CURRENT_SOURCE_DIR}/${source} text)
  set(links ${_gauntlet_doc_links})
  while(links)
    list(POP_FRONT links from to)
    string(REPLACE "](${from}" "](${to}" text "${text}")
  endwhile()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/installed_docs/${name})
  file(WRITE ${out} "${text}")
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_DOCDIR})
  # The build tree mirrors the install layout (gauntlet new finds the guide there).
  configure_file(${out} ${CMAKE_BINARY_DIR}/${CMAKE_INSTALL_DOCDIR}/${name} COPYONLY)
endfunction()
