# Installation and Debian packaging: what `cmake --install` puts where, how users
# find kprod (pkg-config, find_package(kprod CONFIG) -> kprod::kprod), and how CPack
# splits it into Debian packages. Included from the top-level CMakeLists.txt once the
# kprod and kprod_objects targets exist.
#
# Packages (cpack -G DEB in a build configured with -DCMAKE_INSTALL_PREFIX=/usr):
#   libkprod<SOVERSION>  the shared library alone, so that two SONAMEs can be installed side by side
#   libkprod-dev         kprod.h, the libkprod.so link, kprod.pc, the CMake package (and libkprod.a)
#   kprod                the command-line producer and its man page
# tests/packaging/test_debian_packages.sh builds, installs and uses them.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

option(KPROD_BUILD_STATIC "Also build and install the static library libkprod.a" OFF)

set(KPROD_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/kprod)

# Whether the library links libsnappy (the compression codecs may add it): it then
# belongs in Libs.private (Debian's libsnappy ships no .pc) and in libkprod-dev's Depends.
get_target_property(kprod_link_libraries kprod LINK_LIBRARIES)
if(kprod_link_libraries MATCHES "[Ss]nappy")
  set(KPROD_LINKS_SNAPPY ON)
else()
  set(KPROD_LINKS_SNAPPY OFF)
endif()

# ---------------------------------------------------------------------------
# The shared library: libkprod.so.1.0.0, libkprod.so.1 (the SONAME) in the runtime
# component, the libkprod.so link in the development one.

install(TARGETS kprod EXPORT kprodTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    COMPONENT runtime
    NAMELINK_COMPONENT development)
install(FILES include/kprod.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)

# ---------------------------------------------------------------------------
# The static library. The version script that keeps libkprod.so down to kprod_*
# does not apply to an archive, so the archive is one prelinked object instead of
# one per source: `ld -r` joins the objects (resolving their COMDAT groups among
# themselves), then every hidden symbol is made local. What stays global is the
# kprod_* API and the weak instantiations of libstdc++'s templates, so a program
# linking libkprod.a cannot collide with kprod's or Asio's internals. The archive
# holds C++ code: linking it from C needs -lstdc++ and the codecs, which kprod.pc
# (pkg-config --static) and the kprod::kprod_static target carry. With KPROD_LTO
# the objects also hold GCC's LTO bytecode; the archive keeps only their plain
# code (-fno-lto, then the .gnu.lto_ sections removed): bytecode that went
# through `ld -r` and --localize-hidden refers to debug sections no longer there.

if(KPROD_BUILD_STATIC)
  set(kprod_prelinked ${CMAKE_CURRENT_BINARY_DIR}/kprod_prelinked.o)
  add_custom_command(OUTPUT ${kprod_prelinked}
    COMMAND ${CMAKE_CXX_COMPILER} -r -nostdlib -fno-lto -Wl,--force-group-allocation
            -o ${kprod_prelinked}.all $<TARGET_OBJECTS:kprod_objects>
    COMMAND ${CMAKE_OBJCOPY} --localize-hidden --remove-section=.gnu.lto_*
            --remove-section=.gnu.debuglto_* ${kprod_prelinked}.all ${kprod_prelinked}
    DEPENDS kprod_objects $<TARGET_OBJECTS:kprod_objects>
    COMMENT "Prelinking libkprod.a's objects and hiding everything but kprod_*"
    COMMAND_EXPAND_LISTS VERBATIM)
  set_source_files_properties(${kprod_prelinked} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)

  add_library(kprod_static STATIC ${kprod_prelinked})
  set_target_properties(kprod_static PROPERTIES OUTPUT_NAME kprod LINKER_LANGUAGE C)
  target_include_directories(kprod_static PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
  # Plain library names, found by the linker where the -dev packages put them.
  set(kprod_static_dependencies zstd lz4 z ssl crypto)
  if(KPROD_LINKS_SNAPPY)
    list(APPEND kprod_static_dependencies snappy)
  endif()
  if(KPROD_GSSAPI)
    list(APPEND kprod_static_dependencies gssapi_krb5 krb5)
  endif()
  if(KPROD_OIDC)
    list(APPEND kprod_static_dependencies curl)
  endif()
  target_link_libraries(kprod_static PRIVATE ${kprod_static_dependencies} stdc++ m Threads::Threads)

  install(TARGETS kprod_static EXPORT kprodStaticTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
  install(EXPORT kprodStaticTargets NAMESPACE kprod::
    DESTINATION ${KPROD_CMAKE_INSTALL_DIR} COMPONENT development)
endif()

# ---------------------------------------------------------------------------
# pkg-config: `pkg-config --cflags --libs kprod`, or with --static for libkprod.a.

set(KPROD_PC_LIBS_PRIVATE "-lstdc++ -lm -lpthread")
if(KPROD_LINKS_SNAPPY)
  string(PREPEND KPROD_PC_LIBS_PRIVATE "-lsnappy ")
endif()
if(KPROD_GSSAPI)
  string(PREPEND KPROD_PC_LIBS_PRIVATE "-lgssapi_krb5 -lkrb5 ")
endif()
if(KPROD_OIDC)
  string(PREPEND KPROD_PC_LIBS_PRIVATE "-lcurl ")
endif()
# kprod.pc finds the prefix from where it lies (${pcfiledir}, then up as many folders
# as libdir/pkgconfig has), so it is right for `cmake --install --prefix DIR` and for an
# installed tree moved elsewhere, not only for the prefix configured here. Built for
# /usr (the Debian packages) it names /usr itself: pkg-config leaves the system's own
# /usr/include and /usr/lib/<arch> out of the flags only when they are spelt so.
# An absolute CMAKE_INSTALL_LIBDIR or INCLUDEDIR is written as it is.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr" OR IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(KPROD_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH kprod_pc_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" kprod_pc_up "${kprod_pc_up}")
  set(KPROD_PC_PREFIX "\${pcfiledir}/${kprod_pc_up}")
endif()
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(KPROD_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(KPROD_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
configure_file(pkgconfig/kprod.pc.in ${CMAKE_CURRENT_BINARY_DIR}/kprod.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/kprod.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT development)

# kprod-uninstalled.pc, for programs built against the build tree (the Go binding's
# tests): PKG_CONFIG_PATH=<build dir> makes `pkg-config kprod` use it. Not installed.
set(KPROD_UNINSTALLED_LIBDIR "$<TARGET_FILE_DIR:kprod>")
configure_file(pkgconfig/kprod-uninstalled.pc.in
  ${CMAKE_CURRENT_BINARY_DIR}/kprod-uninstalled.pc.configured @ONLY)
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/kprod-uninstalled.pc
  INPUT ${CMAKE_CURRENT_BINARY_DIR}/kprod-uninstalled.pc.configured)

# ---------------------------------------------------------------------------
# CMake: find_package(kprod CONFIG) gives kprod::kprod (and kprod::kprod_static
# when libkprod.a is installed). Versions with the same major number (the SONAME)
# are compatible; scripts/abi-check holds the library to that.

install(EXPORT kprodTargets NAMESPACE kprod::
  DESTINATION ${KPROD_CMAKE_INSTALL_DIR} COMPONENT development)
configure_package_config_file(cmake/kprodConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/kprodConfig.cmake
  INSTALL_DESTINATION ${KPROD_CMAKE_INSTALL_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/kprodConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/kprodConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/kprodConfigVersion.cmake
  DESTINATION ${KPROD_CMAKE_INSTALL_DIR} COMPONENT development)

# ---------------------------------------------------------------------------
# The command-line producer's man page (the program itself is installed by
# tools/CMakeLists.txt), gzipped as Debian wants it.

set(kprod_man_page ${CMAKE_CURRENT_BINARY_DIR}/kprod.1.gz)
add_custom_command(OUTPUT ${kprod_man_page}
  COMMAND gzip -9 -n -c ${CMAKE_CURRENT_SOURCE_DIR}/docs/kprod.1 > ${kprod_man_page}
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/docs/kprod.1
  COMMENT "Compressing the kprod(1) man page")
add_custom_target(kprod-man-page ALL DEPENDS ${kprod_man_page})
install(FILES ${kprod_man_page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT tools)

# ---------------------------------------------------------------------------
# Debian packages with CPack. Debian names a library package after its SONAME
# (libkprod1 while the major version is 1), so a SONAME bump yields a new package name.
# dpkg-shlibdeps writes the runtime Depends (libc6, libstdc++6, libzstd1, liblz4-1,
# zlib1g, ...) from the ELF files; the -dev package needs the codecs' -dev packages
# because kprod.pc names their .pc files in Requires.private.

set(KPROD_RUNTIME_PACKAGE libkprod${PROJECT_VERSION_MAJOR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kprod)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "kprod")
set(CPACK_PACKAGE_CONTACT "kprod maintainers <kprod@localhost>")
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPack would put it above every package's
# own description.
# The .pc and CMake files name the configured prefix, so the packages install there.
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime development tools)
# libkprod-dev and kprod depend on exactly this build of the library package.
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_COMPONENT_DEVELOPMENT_DEPENDS runtime)
set(CPACK_COMPONENT_TOOLS_DEPENDS runtime)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Stripped ELF files in the packages, their debug information in <package>-dbgsym .ddebs.
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
# dpkg-shlibdeps finds libkprod.so.1 here when it looks at /usr/bin/kprod (and, with
# no package owning it yet, leaves it out); kprod's Depends on libkprod1 comes from
# the component dependency above.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_CURRENT_BINARY_DIR})

# Descriptions: a summary line, then plain lines; CPack indents them for the control file.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${KPROD_RUNTIME_PACKAGE})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "Kafka producer library with a stable C ABI
kprod sends records to Apache Kafka the way the Java producer does (batching,
buffer memory, partitioning, retries) and reports the outcome of every record.
This package holds the shared library.")
# A shlibs file, so that packages built against libkprod depend on this package
# (CPack has no per-component switch; only libkprod1 holds a shared object).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libkprod-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SHLIBDEPS OFF)
set(kprod_dev_depends "libzstd-dev, liblz4-dev, zlib1g-dev, libssl-dev")
if(KPROD_LINKS_SNAPPY)
  string(APPEND kprod_dev_depends ", libsnappy-dev")
endif()
if(KPROD_OIDC)
  string(APPEND kprod_dev_depends ", libcurl4-openssl-dev")
endif()
if(KPROD_GSSAPI)
  string(APPEND kprod_dev_depends ", libkrb5-dev")
endif()
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS ${kprod_dev_depends})
set(CPACK_DEBIAN_DEVELOPMENT_DESCRIPTION "Kafka producer library with a stable C ABI (development files)
The header kprod.h, the libkprod.so link, kprod.pc for pkg-config and the CMake
package for find_package(kprod CONFIG), which gives the target kprod::kprod.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME kprod)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "Command-line Kafka producer built on libkprod
kprod reads records from standard input or files, one per line or split by a
delimiter, with optional keys, headers and partition, sends them to a Kafka
topic and prints a summary of the deliveries.")

include(CPack)
