# ncvx_add_plugin(NAME <name> SOURCES <files...> [LINK <targets...>] [NO_INSTALL])
#
# Builds one loadable ncvx plugin: a MODULE library named ncvx_<name>.so,
# with hidden visibility (only the two extern "C" entry points of
# NCVX_PLUGIN are exported) and the core's compile settings (C++20, the same
# Eigen headers), which the ABI record checks when the plugin is loaded.
#
# The library is written to ${NCVX_PLUGIN_OUTPUT_DIR} (default
# <build>/plugins, usable with `ncvx --plugin-dir`) and installed to
# ${CMAKE_INSTALL_LIBDIR}/ncvx/plugins, where an ncvx installed in the same
# prefix finds it without any option.
#
# A downstream project that sets no build type still gets an optimized plugin
# (-O2, NDEBUG): an unoptimized Eigen plugin is tens of times slower, and the
# runs it serves are the expensive part.
#
# Works in the ncvx tree and downstream after find_package(ncvx).
include_guard(GLOBAL)
include(GNUInstallDirs)

function(ncvx_add_plugin)
  cmake_parse_arguments(ARG "NO_INSTALL" "NAME" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "ncvx_add_plugin: NAME and SOURCES are required")
  endif()
  if(NOT ARG_NAME MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "ncvx_add_plugin: NAME '${ARG_NAME}' must be lower_case (letters, digits, _)")
  endif()
  if(NOT NCVX_PLUGIN_OUTPUT_DIR)
    set(NCVX_PLUGIN_OUTPUT_DIR "${CMAKE_BINARY_DIR}/plugins")
  endif()
  set(target ncvx_plugin_${ARG_NAME})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ncvx::contract ${ARG_LINK})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "ncvx_${ARG_NAME}"
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${NCVX_PLUGIN_OUTPUT_DIR}"
    INSTALL_RPATH "$ORIGIN/../.."
    INSTALL_RPATH_USE_LINK_PATH ON)
  if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    target_compile_options(${target} PRIVATE -O2)
    target_compile_definitions(${target} PRIVATE NDEBUG)
  endif()
  if(COMMAND ncvx_set_warnings)
    ncvx_set_warnings(${target})
  endif()
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/ncvx/plugins")
  endif()
endfunction()
