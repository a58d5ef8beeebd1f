# Generates the C status enum (tokenverify_status.h) from the one status table.
# Usage: cmake -DIN=status.def -DOUT=tokenverify_status.h -P gen_status.cmake
file(STRINGS "${IN}" lines REGEX "^TV_STATUS\\(")
set(body "")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "^TV_STATUS\\(([A-Z0-9_]+), *([0-9]+), *(\".*\")\\)$" "  TV_\\1 = \\2, /* \\3 */" entry "${line}")
  string(APPEND body "${entry}\n")
endforeach()
set(text "/* Generated from core/include/tokenverify/status.def by cmake/gen_status.cmake. Do not edit. */
#ifndef TOKENVERIFY_STATUS_H_
#define TOKENVERIFY_STATUS_H_
enum tv_status_code {
${body}};
#endif /* TOKENVERIFY_STATUS_H_ */
")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${text}")
