# contrib/: systemd units for chat-server, installed under
# $(docdir)/contrib, or where --with-systemdsystemunitdir says.  The
# services are made from their .in so they name the chat-server
# installed.  chat-server@.service runs several servers on one port,
# one room through Redis; chat-server.logrotate (for
# /etc/logrotate.d) goes with the documentation.
systemdunit_DATA = contrib/chat-server.service contrib/chat-server.socket \
	contrib/chat-server-tls.socket contrib/chat-server@.service
contribdocdir = $(docdir)/contrib
dist_contribdoc_DATA = contrib/chat-server.logrotate
EXTRA_DIST += contrib/chat-server.service.in contrib/chat-server.socket \
	contrib/chat-server-tls.socket contrib/chat-server@.service.in
CLEANFILES += contrib/chat-server.service contrib/chat-server@.service

contrib/chat-server.service: contrib/chat-server.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
	    $(srcdir)/contrib/chat-server.service.in >$@.tmp && \
	mv $@.tmp $@

contrib/chat-server@.service: contrib/chat-server@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
	    '$(srcdir)/contrib/chat-server@.service.in' >'$@.tmp' && \
	mv '$@.tmp' '$@'

# distcheck installs the units where systemd's would go, in its staging
# prefix, so that path is checked too.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-systemdsystemunitdir=$$dc_install_base/lib/systemd/system
