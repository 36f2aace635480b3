# chat-server: the core is a library too, so unit tests link it without main.c.
noinst_LIBRARIES += server/libserver.a
server_libserver_a_SOURCES = \
	server/auth.c \
	server/backlog.c \
	server/ban.c \
	server/client.c \
	server/cluster.c \
	server/command.c \
	server/history.c \
	server/linger.c \
	server/loop.c \
	server/moderation.c \
	server/msg.c \
	server/oper.c \
	server/options.c \
	server/redis_loop.c \
	server/redis_loop.h \
	server/redis_url.c \
	server/reload.c \
	server/room.c \
	server/server.h \
	server/service.c \
	server/telnet.c \
	server/tls.c

bin_PROGRAMS += server/chat-server
server_chat_server_SOURCES = server/main.c
server_chat_server_LDADD = server/libserver.a common/libcommon.a \
	compat/libcompat.a
