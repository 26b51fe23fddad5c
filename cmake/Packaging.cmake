# The Debian package (issue 8): `scripts/package` builds it with CPack.
#
#   /usr/bin/musubid, /usr/bin/musubictl
#   /etc/musubi/           musubi.yaml, carriers.yaml, scenarios/, templates/ (all conffiles:
#                          the owner edits them and dpkg keeps the edits across upgrades)
#   /etc/musubi/secrets/   README.md only; the owner writes the secrets (no secret is shipped)
#   /usr/share/musubi/     pristine templates/ and scenarios/ to compare with or restore from,
#                          examples/ (the demo configuration, reverse-proxy configurations)
#   /lib/systemd/system/   musubi.service, musubi@.service
#   /usr/share/doc/musubi/ README.md, ARCHITECTURE.md
#   /var/lib/musubi        created by systemd (StateDirectory=), not by the package
#
# The destinations under /etc and /lib are absolute on purpose: they do not follow the
# installation prefix. Never run `cmake --install` on a build tree without DESTDIR unless you
# mean to install into the real system; cpack installs into its own staging folder.

set(MUSUBI_SYSCONF_DIR /etc/musubi)
set(MUSUBI_DATA_DIR share/musubi)
set(MUSUBI_DOC_DIR share/doc/musubi)
set(MUSUBI_UNIT_DIR /lib/systemd/system)
set(MUSUBI_PACKAGING_OUT ${CMAKE_BINARY_DIR}/packaging)

# Installing (and so cpack) builds nothing: scripts/package builds musubid and musubictl first,
# rather than every test program of the tree.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
install(TARGETS musubid musubictl RUNTIME DESTINATION bin)

# The shipped configuration, as installed. config/musubi.yaml names its templates relative to
# the source tree (../templates); installed, they sit beside it in /etc/musubi/templates.
# Everything else in the file is shipped as it is, and the review drop folder is added.
set(musubi_config_source ${PROJECT_SOURCE_DIR}/config/musubi.yaml)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${musubi_config_source})
file(READ ${musubi_config_source} musubi_config)
string(REGEX REPLACE "\ntemplates: \\.\\./templates\n" "\ntemplates: templates\n"
       musubi_config_installed "${musubi_config}")
if(musubi_config_installed STREQUAL musubi_config)
  message(WARNING "Packaging: config/musubi.yaml no longer says 'templates: ../templates'; "
                      "update cmake/Packaging.cmake so the installed config finds its templates")
endif()
# Review CSVs are moved to done/ or rejected/ after import, so their folder must be writable:
# under ProtectSystem=strict only the state folder is (the default, reviews/ beside
# musubi.yaml, would be /etc/musubi/reviews).
if(NOT musubi_config MATCHES "\nreviews:")
  string(APPEND musubi_config_installed "
# レビュー CSV の置き場所 (サービスが書き込めるのは /var/lib/musubi だけです)
# Review CSVs exported from RMS: put them here (the service may write only under /var/lib/musubi).
reviews:
  drop_dir: /var/lib/musubi/reviews
")
endif()
file(WRITE ${MUSUBI_PACKAGING_OUT}/musubi.yaml "${musubi_config_installed}")

install(FILES ${MUSUBI_PACKAGING_OUT}/musubi.yaml ${PROJECT_SOURCE_DIR}/config/carriers.yaml
              ${PROJECT_SOURCE_DIR}/config/segments.yaml ${PROJECT_SOURCE_DIR}/config/richmenus.yaml
              ${PROJECT_SOURCE_DIR}/config/campaigns.yaml
        DESTINATION ${MUSUBI_SYSCONF_DIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/scenarios ${PROJECT_SOURCE_DIR}/templates
        DESTINATION ${MUSUBI_SYSCONF_DIR})
# Only root may look into secrets/ (0700); systemd reads the files there for LoadCredential=.
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/secrets-README.md
               ${MUSUBI_PACKAGING_OUT}/secrets/README.md COPYONLY)
install(DIRECTORY ${MUSUBI_PACKAGING_OUT}/secrets DESTINATION ${MUSUBI_SYSCONF_DIR}
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/scenarios ${PROJECT_SOURCE_DIR}/templates
        DESTINATION ${MUSUBI_DATA_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/demo.yaml ${PROJECT_SOURCE_DIR}/config/demo-sim.yaml
        DESTINATION ${MUSUBI_DATA_DIR}/examples)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/packaging/proxy DESTINATION ${MUSUBI_DATA_DIR}/examples)

install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/musubi.service
              ${PROJECT_SOURCE_DIR}/packaging/systemd/musubi@.service
        DESTINATION ${MUSUBI_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/ARCHITECTURE.md
        DESTINATION ${MUSUBI_DOC_DIR})

# conffiles: every file the package puts under /etc, so dpkg keeps the owner's edits (and asks
# on upgrade when both sides changed).
file(GLOB musubi_scenarios RELATIVE ${PROJECT_SOURCE_DIR}/config
     CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/config/scenarios/*)
file(GLOB_RECURSE musubi_templates RELATIVE ${PROJECT_SOURCE_DIR}
     CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/templates/*)
set(musubi_conffiles musubi.yaml carriers.yaml segments.yaml richmenus.yaml campaigns.yaml secrets/README.md
    ${musubi_scenarios} ${musubi_templates})
list(SORT musubi_conffiles)
list(TRANSFORM musubi_conffiles PREPEND "${MUSUBI_SYSCONF_DIR}/")
list(JOIN musubi_conffiles "\n" musubi_conffiles_text)
file(WRITE ${MUSUBI_PACKAGING_OUT}/conffiles "${musubi_conffiles_text}\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME musubi)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "musubi maintainers <maintainers@musubi.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "ties a shop's orders to its LINE friends")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "musubi is a self-hosted daemon for a Rakuten Ichiba or EC shop: it polls
Rakuten RMS for orders, shipments and reviews, links buyers to LINE friends
and sends the step messages the shop describes in YAML.
.
The service is not started on installation: write the secrets in
/etc/musubi/secrets first (see README.md there), then run
systemctl enable --now musubi.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS systemd)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${MUSUBI_PACKAGING_OUT}/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
