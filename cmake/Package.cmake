# Installation and the Debian package (CPack):
#   cmake --build build && cpack --config build/CPackConfig.cmake -B build/package
#   -> build/package/synthlabel_<version>_amd64.deb
# It holds the binary (shaders are embedded in it), the example configs and their assets in
# /usr/share/synthlabel, a man page and a bash completion generated from the binary's --help (so they
# cannot drift from it), and, when built, the Python package in /usr/lib/python3/dist-packages.
# Library dependencies come from dpkg-shlibdeps (dpkg-dev). scripts/deb_check.sh installs the package
# in a clean Debian 12 root and runs it.
include(GNUInstallDirs)

install(TARGETS synthlabel RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/synthlabel/configs)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/ DESTINATION ${CMAKE_INSTALL_DATADIR}/synthlabel/assets)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(generated ${PROJECT_BINARY_DIR}/share)
add_custom_command(OUTPUT ${generated}/synthlabel.1.gz ${generated}/synthlabel.bash
  COMMAND ${CMAKE_COMMAND} -E make_directory ${generated}
  COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/make_manpage.sh $<TARGET_FILE:synthlabel> > ${generated}/synthlabel.1
  COMMAND gzip -9nf ${generated}/synthlabel.1
  COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/make_completion.sh $<TARGET_FILE:synthlabel> > ${generated}/synthlabel.bash
  DEPENDS synthlabel ${PROJECT_SOURCE_DIR}/scripts/make_manpage.sh ${PROJECT_SOURCE_DIR}/scripts/make_completion.sh
  COMMENT "man page and bash completion from synthlabel --help")
add_custom_target(synthlabel_manpage ALL DEPENDS ${generated}/synthlabel.1.gz ${generated}/synthlabel.bash)
install(FILES ${generated}/synthlabel.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${generated}/synthlabel.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME synthlabel)

if(SYNTHLABEL_PYTHON_MODULE)
  set(python_dir lib/python3/dist-packages/synthlabel)  # Debian's folder for modules of /usr
  install(TARGETS synthlabel_python LIBRARY DESTINATION ${python_dir})
  install(FILES ${PROJECT_SOURCE_DIR}/python/synthlabel/__init__.py ${PROJECT_SOURCE_DIR}/python/synthlabel/torch.py
                ${PROJECT_SOURCE_DIR}/python/synthlabel/_core.pyi ${PROJECT_SOURCE_DIR}/python/synthlabel/py.typed
          DESTINATION ${python_dir})
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME synthlabel)
set(CPACK_PACKAGE_VENDOR synthlabel)
set(CPACK_PACKAGE_CONTACT "synthlabel maintainers <synthlabel@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "labeled training data from YAML scene configs, pixel-exact")
set(CPACK_PACKAGE_DESCRIPTION "Renders domain-randomized scenes headlessly with Vulkan (a GPU, or lavapipe on
the CPU) and writes RGB, depth, instance and semantic masks and COCO, YOLO, VOC, KITTI, BOP,
panoptic and tracking datasets whose labels match the pixels exactly.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # synthlabel_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Lavapipe renders where no GPU driver is installed; the Python package needs Debian's Python 3.11.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "mesa-vulkan-drivers | vulkan-icd")
if(SYNTHLABEL_PYTHON_MODULE)
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3 (>= ${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}), python3 (<< ${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}.99), python3-numpy")
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-torch, python3-torchvision, assimp-testmodels")
else()
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS "assimp-testmodels")
endif()
include(CPack)
