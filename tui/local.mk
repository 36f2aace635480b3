# chat-tui: the curses-free models are a library, so unit tests link them
# without curses or sockets.  configure --disable-tui leaves it all out.
if TUI
noinst_LIBRARIES += tui/libtuimodel.a
tui_libtuimodel_a_SOURCES = \
	tui/chatlog.c \
	tui/complete.c \
	tui/editor.c \
	tui/ignore.c \
	tui/keys.c \
	tui/known.c \
	tui/marker.c \
	tui/notify.c \
	tui/options.c \
	tui/osc.c \
	tui/pending.c \
	tui/paste.c \
	tui/replay.c \
	tui/scrollback.c \
	tui/search.c \
	tui/stamp.c \
	tui/style.c \
	tui/title.c \
	tui/tui.h \
	tui/urls.c \
	tui/wrap.c

bin_PROGRAMS += tui/chat-tui
tui_chat_tui_SOURCES = \
	tui/command.c \
	tui/loop.c \
	tui/main.c \
	tui/net.c \
	tui/pass.c \
	tui/plain.c \
	tui/screen.c \
	tui/trust.c \
	tui/view.c
tui_chat_tui_CPPFLAGS = $(AM_CPPFLAGS) $(CURSES_CFLAGS)
tui_chat_tui_LDADD = tui/libtuimodel.a common/libcommon.a \
	compat/libcompat.a $(CURSES_LIBS)
dist_man1_MANS += man/chat-tui.1

# make demo: a server on localhost, on port 2000 if free (so a second
# terminal can join with a plain chat-tui) or else any free port, said
# so with the command that joins it, and chat-tui on it; the server
# stops when chat-tui exits.  DEMO_PORT=N prefers port N.
demo: server/chat-server tui/chat-tui
	@$(SHELL) $(srcdir)/tui/demo.sh server/chat-server tui/chat-tui
else
demo:
	@echo "make demo: chat-tui is not built (configured with --disable-tui)" >&2
	@exit 1
endif
.PHONY: demo
EXTRA_DIST += tui/demo.sh
