# chat-tui: the curses-free models are a library, so unit tests link them
# without curses or sockets.
noinst_LIBRARIES += tui/libtuimodel.a
tui_libtuimodel_a_SOURCES = \
	tui/editor.c \
	tui/keys.c \
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
	tui/plain.c \
	tui/screen.c
tui_chat_tui_CPPFLAGS = $(AM_CPPFLAGS) $(CURSES_CFLAGS)
tui_chat_tui_LDADD = tui/libtuimodel.a common/libcommon.a \
	compat/libcompat.a $(CURSES_LIBS)
dist_man1_MANS += man/chat-tui.1

# make demo: a server on localhost and chat-tui on it; the server stops
# when chat-tui exits.
demo: server/chat-server tui/chat-tui
	@dir=$$(mktemp -d) || exit 1; \
	server/chat-server --bind localhost --port 0 --log "$$dir/log" & \
	pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf "$$dir"' EXIT INT TERM HUP; \
	port=; for i in $$(seq 50); do \
		port=$$(sed -n 's/.* listen .*:\([0-9][0-9]*\) .*/\1/p' "$$dir/log" 2>/dev/null | head -n 1); \
		test -n "$$port" && break; sleep 0.1; \
	done; \
	test -n "$$port" || { echo "demo: chat-server did not start" >&2; exit 1; }; \
	tui/chat-tui --port "$$port"
.PHONY: demo
