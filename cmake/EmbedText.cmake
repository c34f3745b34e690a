# cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P EmbedText.cmake
#
# Writes a C++ source that defines `extern const char* const SYMBOL` (in
# namespace ncvx) holding the bytes of INPUT: a page template kept in its own
# file (HTML, CSS, JavaScript) and compiled in, so the program needs no data
# file at run time. The bytes are written as hex escapes, whatever they hold.
file(READ "${INPUT}" bytes HEX)
string(REGEX REPLACE "(..)" "\\\\x\\1" escaped "${bytes}")
# Lines of 20 bytes (80 characters of escapes), each its own string literal
# (adjacent literals join).
string(REGEX REPLACE "(................................................................................)"
       "\\1\"\n    \"" escaped "${escaped}")
file(WRITE "${OUTPUT}.new"
  "// Generated from ${INPUT} by cmake/EmbedText.cmake; edit that file instead.\n"
  "namespace ncvx {\nextern const char* const ${SYMBOL};\nconst char* const ${SYMBOL} =\n    \"${escaped}\";\n}\n")
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.new")
