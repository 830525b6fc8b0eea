# Embeds data files (questionnaires, examples) into a generated C++ source so that
# the sipas executable carries its defaults. The files stay data in the tree;
# only the build turns them into bytes.
#
# sipas_embed_files(OUTPUT out.cpp NAMESPACE ns FUNCTION fn BASE dir FILES f...)
# generates: std::span<const EmbeddedFile> ns::fn();
function(sipas_embed_files)
  cmake_parse_arguments(E "" "OUTPUT;NAMESPACE;FUNCTION;BASE" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${E_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${E_OUTPUT} -DNAMESPACE=${E_NAMESPACE}
            -DFUNCTION=${E_FUNCTION} -DBASE=${E_BASE} "-DFILES=${E_FILES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    DEPENDS ${E_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    COMMENT "Embedding ${E_FUNCTION} data files"
    VERBATIM)
endfunction()
