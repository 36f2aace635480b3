# chat-tui: the curses-free models are a library, so unit tests link them
# without curses or sockets.  configure --disable-tui leaves it all out.
if TUI
noinst_LIBRARIES += tui/libtuimodel.a
tui_libtuimodel_a_SOURCES = \
	tui/complete.c \
	tui/editor.c \
	tui/keys.c \
	tui/known.c \
	tui/paste.c \
	tui/replay.c \
	tui/scrollback.c \
	tui/style.c \
	tui/tui.h \
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
	tui/trust.c
tui_chat_tui_CPPFLAGS = $(AM_CPPFLAGS) $(CURSES_CFLAGS)
tui_chat_tui_LDADD = tui/libtuimodel.a common/libcommon.a \
	compat/libcompat.a $(CURSES_LIBS)
dist_man1_MANS += man/chat-tui.1

# make demo: a server on localhost, on port 2000 if free (so a second
# terminal can join with a plain chat-tui) or else any free port, and
# chat-tui on it; the server stops when chat-tui exits.
demo: server/chat-server tui/chat-tui
	@dir=$$(mktemp -d) || exit 1; pid=; \
	trap 'test -n "$$pid" && kill $$pid 2>/dev/null; rm -rf "$$dir"' EXIT; \
	trap 'exit 1' INT TERM HUP; \
	for want in 2000 0; do \
		: >"$$dir/log"; \
		server/chat-server --bind localhost --port $$want \
		    --log "$$dir/log" 2>>"$$dir/err" & pid=$$!; port=; \
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do \
			port=$$(sed -n 's/.* listen .*:\([0-9][0-9]*\) .*/\1/p' "$$dir/log"); \
			test -n "$$port" && break; \
			kill -0 $$pid 2>/dev/null || break; \
			sleep 0.1; \
		done; \
		test -n "$$port" && break; \
		kill $$pid 2>/dev/null; pid=; \
	done; \
	test -n "$$port" || { cat "$$dir/err" >&2; exit 1; }; \
	tui/chat-tui --port "$$port"
else
demo:
	@echo "make demo: chat-tui is not built (configured with --disable-tui)" >&2
	@exit 1
endif
.PHONY: demo
