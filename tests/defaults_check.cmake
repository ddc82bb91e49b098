# `needlework config --defaults` must produce a file that `needlework check` accepts.
execute_process(COMMAND ${CLI} config --defaults OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "config --defaults exited ${rc}")
endif()
execute_process(COMMAND ${CLI} check ${OUT} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check of the defaults exited ${rc}:\n${out}${err}")
endif()
