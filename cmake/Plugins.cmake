# synthlabel_plugins(NAMES a b ... FOLDER dir TEMPLATE file.in OUTPUT out.cpp SOURCES_VAR var)
# Plugins registered by name (randomizers, label formats): each is one file, FOLDER/NAME.cpp,
# defining register_NAME(); this lists their sources in SOURCES_VAR and generates OUTPUT from TEMPLATE,
# whose @PLUGIN_DECLS@ becomes the declarations and @PLUGIN_CALLS@ the calls, in the given order.
function(synthlabel_plugins)
  cmake_parse_arguments(P "" "FOLDER;TEMPLATE;OUTPUT;SOURCES_VAR;REGISTRY" "NAMES" ${ARGN})
  set(sources "")
  set(PLUGIN_DECLS "")
  set(PLUGIN_CALLS "")
  foreach(name IN LISTS P_NAMES)
    list(APPEND sources ${P_FOLDER}/${name}.cpp)
    string(APPEND PLUGIN_DECLS "void register_${name}(${P_REGISTRY}& r);\n")
    string(APPEND PLUGIN_CALLS "  register_${name}(r);\n")
  endforeach()
  configure_file(${P_TEMPLATE} ${P_OUTPUT} @ONLY)
  set(${P_SOURCES_VAR} ${sources} PARENT_SCOPE)
endfunction()
