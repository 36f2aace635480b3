dist_man1_MANS += man/chat-server.1
