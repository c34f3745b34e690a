# ncvx_add_plugin(NAME <name> SOURCES <files...> [LINK <targets...>])
#
# Builds one loadable ncvx plugin: a MODULE library named ncvx_<name>.so,
# with hidden visibility (only the two extern "C" entry points are exported)
# and the same compile settings as the core, which the ABI record checks
# at load time. The library is placed in the plugin folder the CLI searches.
function(ncvx_add_plugin)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "ncvx_add_plugin: NAME and SOURCES are required")
  endif()
  set(target ncvx_plugin_${ARG_NAME})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ncvx::core ${ARG_LINK})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "ncvx_${ARG_NAME}"
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${NCVX_PLUGIN_OUTPUT_DIR}")
  if(COMMAND ncvx_set_warnings)
    ncvx_set_warnings(${target})
  endif()
endfunction()
