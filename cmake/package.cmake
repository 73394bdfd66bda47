# package.cmake — the Debian package jzg_<version>_<arch>.deb (CPack), for
# the clerk's PC that has no internet (issue 14, docs/install.md).
# tools/bundle builds it: Release, -DCMAKE_INSTALL_PREFIX=/usr, -DJZG_DEV_TREE=OFF,
# Debian's hardening flags; then `cpack -G DEB` in the build directory.
#
# What the package holds besides the binary and forms/ + data/ (installed by
# the top CMakeLists.txt): man pages (Chinese and English), bash completion,
# a desktop entry, the user guide, copyright and changelog.  Sources:
# docs/man/ and packaging/.

# The compiled-in JZG_DATA_DIR comes from this prefix; a package built with
# another (default /usr/local) would still work through the binary-relative
# look-up in paths.c, but say it.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "jzg: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; a .deb wants /usr (tools/bundle sets it)")
endif()

# Man pages and the changelog are installed gzip'd (Debian policy 12.1, 12.7);
# -n keeps no name or time stamp, so the package is reproducible.
set(JZG_PKG_GZ "")
foreach(pair "docs/man/jzg.1:jzg.1.gz" "docs/man/jzg.zh_CN.1:jzg.zh_CN.1.gz"
             "packaging/changelog:changelog.gz")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 src)
  list(GET pair 1 gz)
  add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/pkg/${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/pkg
    COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/${src} > ${PROJECT_BINARY_DIR}/pkg/${gz}
    DEPENDS ${PROJECT_SOURCE_DIR}/${src} VERBATIM)
  list(APPEND JZG_PKG_GZ ${PROJECT_BINARY_DIR}/pkg/${gz})
endforeach()
add_custom_target(jzg_package_files ALL DEPENDS ${JZG_PKG_GZ})

install(FILES ${PROJECT_BINARY_DIR}/pkg/jzg.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_BINARY_DIR}/pkg/jzg.zh_CN.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/zh_CN/man1
        RENAME jzg.1.gz)
install(FILES packaging/jzg.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME jzg)
install(FILES packaging/jzg.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES packaging/copyright ${PROJECT_BINARY_DIR}/pkg/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The guide and the pages it links to, as Markdown a clerk can open in any
# text editor (kept uncompressed on purpose: docs/install.md).
install(FILES docs/user-guide.md docs/client.md docs/checks.md docs/xlsx.md docs/print.md
              docs/workflow.md docs/forms-format.md docs/install.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME jzg)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
# No public address yet: example.org (RFC 2606) rather than a made-up one.
set(CPACK_PACKAGE_CONTACT "jzg maintainers <jzg@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "offline client for the national staff basic-information collection")
# CPack puts the summary first and indents each line of the rest.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "jzg (教职工) is a terminal client for school clerks and county staff who
enter, check, print and export China's national staff basic-information
collection (全国教职工基础信息采集) without internet.  Data lives in one
SQLite file; the indicator system and code tables are plain TSV files in
/usr/share/jzg.  Messages are in Chinese.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # jzg_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# What dpkg-shlibdeps cannot see: pdf.c opens libpangocairo-1.0.so.0 with
# dlopen on the first PDF, and the sheet refuses to print without a font
# that has the Chinese glyphs (Noto Serif/Sans CJK SC asked for by name;
# any fontconfig fallback with the glyphs passes pdf.c's check).  apt takes
# the first alternative, so the bundle carries Noto; docs/install.md
# measures the smaller one.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libpangocairo-1.0-0, libcairo2, fonts-noto-cjk | fonts-wqy-microhei")
# lp(1) sends a sheet to the printer (--print); without it jzg says so.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cups-client")
include(CPack)
