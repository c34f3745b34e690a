# The SDK end to end, as a researcher would use it: install ncvx into a
# fresh prefix, build the out-of-tree example plugin against it as a separate
# project, run its own tests, check it with `ncvx check`, and run its
# configuration next to the built-in methods with --plugin-dir.
#   cmake -DBUILD=<ncvx build> -DSOURCE=<ncvx source> -DWORK=<scratch> -P sdk_example.cmake
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}\n${output}\n${errors}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK}")
set(prefix "${WORK}/prefix")
run(${CMAKE_COMMAND} --install "${BUILD}" --prefix "${prefix}")
foreach(file bin/ncvx lib/cmake/ncvx/ncvxConfig.cmake lib/cmake/ncvx/ncvxConfigVersion.cmake
             lib/cmake/ncvx/NcvxPlugin.cmake include/ncvx/plugin.hpp include/ncvx/version.hpp
             include/ncvx/testing/conformance.hpp lib/ncvx/plugins/ncvx_gd.so)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "the install lacks ${file}")
  endif()
endforeach()
# The SDK is the plugin contract alone: none of the study's headers (sweeps,
# journals, reports) are installed, though its library is (the tool runs on it).
file(GLOB_RECURSE installed_headers RELATIVE "${prefix}/include" "${prefix}/include/*")
foreach(header IN LISTS installed_headers)
  if(NOT header MATCHES "^ncvx/[a-z_]+\\.hpp$" AND NOT header MATCHES "^ncvx/testing/[a-z_]+\\.hpp$")
    message(FATAL_ERROR "the install holds ${header}, which is not a header of the plugin contract")
  endif()
endforeach()
foreach(header sweep journal experiment output plot runner)
  if(EXISTS "${prefix}/include/ncvx/${header}.hpp" OR EXISTS "${prefix}/include/ncvx/study")
    message(FATAL_ERROR "the install holds the study's ${header}.hpp: the SDK is the contract alone")
  endif()
endforeach()

set(example "${SOURCE}/docs/examples/heavy_ball")
run(${CMAKE_COMMAND} -S "${example}" -B "${WORK}/build" -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=${WORK}/example-prefix)
run(${CMAKE_COMMAND} --build "${WORK}/build" -j 2)
run(${CMAKE_CTEST_COMMAND} --test-dir "${WORK}/build" --output-on-failure)
run(${CMAKE_COMMAND} --install "${WORK}/build")
set(plugins "${WORK}/example-prefix/lib/ncvx/plugins")
if(NOT EXISTS "${plugins}/ncvx_heavy_ball.so")
  message(FATAL_ERROR "the example did not install ncvx_heavy_ball.so into ${plugins}")
endif()

# The installed CLI: built-in plugins from its own prefix, the example from --plugin-dir.
run("${prefix}/bin/ncvx" --plugin-dir "${plugins}" check heavy_ball)
string(FIND "${output}" "optimizer `heavy_ball`" at)
if(at EQUAL -1 OR NOT output MATCHES "conforms")
  message(FATAL_ERROR "ncvx check heavy_ball:\n${output}")
endif()
run("${prefix}/bin/ncvx" --plugin-dir "${plugins}" run "${example}/heavy_ball.yaml"
    run.iterations=300 --out "${WORK}/results" --threads 2)
if(NOT output MATCHES "heavy_ball +3 " OR NOT output MATCHES "gd +3 ")
  message(FATAL_ERROR "the comparison table lacks heavy_ball or gd:\n${output}")
endif()
message(STATUS "${output}")

# The second example: a problem and a corruption, built with no build type
# (ncvx_add_plugin still optimizes them), tested, checked and run.
set(kernel "${SOURCE}/docs/examples/kernel_problem")
run(${CMAKE_COMMAND} -S "${kernel}" -B "${WORK}/kernel-build" -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build "${WORK}/kernel-build" -j 2)
run(${CMAKE_CTEST_COMMAND} --test-dir "${WORK}/kernel-build" --output-on-failure)
set(kernel_plugins "${WORK}/kernel-build/plugins")
run("${prefix}/bin/ncvx" --plugin-dir "${kernel_plugins}" check kernel_matrix quantize)
if(NOT output MATCHES "problem `kernel_matrix`.*conforms" OR NOT output MATCHES "corruption `quantize`.*conforms")
  message(FATAL_ERROR "ncvx check kernel_matrix quantize:\n${output}")
endif()
run("${prefix}/bin/ncvx" --plugin-dir "${kernel_plugins}" run "${kernel}/kernel_problem.yaml"
    run.iterations=300 --out "${WORK}/kernel-results" --threads 2)
if(NOT output MATCHES "spectral +1.0e-6 +2 " OR NOT output MATCHES "small_random +1.0e-3 +2 ")
  message(FATAL_ERROR "the kernel_problem table lacks its rows:\n${output}")
endif()
file(READ "${WORK}/kernel-results/meta.json" meta)
string(JSON count LENGTH "${meta}" plugins)
set(build_type "")
math(EXPR last "${count} - 1")
foreach(index RANGE ${last})
  string(JSON name GET "${meta}" plugins ${index} name)
  if(name STREQUAL "kernel_matrix")
    string(JSON build_type GET "${meta}" plugins ${index} abi build_type)
  endif()
endforeach()
if(NOT build_type STREQUAL "optimized (NDEBUG)")
  message(FATAL_ERROR "kernel_matrix was not built optimized without a build type: '${build_type}'")
endif()
message(STATUS "${output}")
