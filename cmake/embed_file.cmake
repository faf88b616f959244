# Embeds one text file as a C++ function returning its contents, so the
# binary never depends on the working directory (e.g. config/prices.json).
file(READ "${IN}" text)
set(body "// Generated from ${IN} by cmake/embed_file.cmake.\n")
string(APPEND body "#include <string_view>\n\nnamespace oh {\n\n")
string(APPEND body "std::string_view ${NAME}() {\n  return R\"oh_embed(${text})oh_embed\";\n}\n\n} // namespace oh\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
