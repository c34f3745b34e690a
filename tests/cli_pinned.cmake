# The quickstart's metrics.csv, pinned bit for bit: every number of the
# default configuration must stay what it was when the reference was written
# (tests/reference/quickstart_metrics.csv, produced before the problems became
# plugins). Also run with one thread, to show the thread count changes nothing.
#   cmake -DNCVX=<ncvx> -DCONFIG=<quickstart.yaml> -DREFERENCE=<csv> -DOUT=<dir> -P cli_pinned.cmake
foreach(threads 2 1)
  file(REMOVE_RECURSE "${OUT}")
  execute_process(COMMAND "${NCVX}" run "${CONFIG}" --out "${OUT}" --threads ${threads} -q
                  RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "ncvx run failed (${status}): ${errors}")
  endif()
  file(READ "${OUT}/metrics.csv" produced)
  file(READ "${REFERENCE}" expected)
  if(NOT produced STREQUAL expected)
    message(FATAL_ERROR "metrics.csv of ${CONFIG} (--threads ${threads}) differs from ${REFERENCE}")
  endif()
endforeach()
