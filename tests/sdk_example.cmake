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
