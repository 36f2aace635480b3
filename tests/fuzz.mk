# tests/fuzz.mk: libFuzzer harnesses for every parser that touches
# network bytes or keystrokes.  Built only with
#	./configure --enable-fuzzing CC=clang
# (the normal build never needs clang); "make fuzz" runs each for
# FUZZ_SECONDS from its seed corpus in tests/fuzz/seed/NAME and fails on
# the first crash, leaving tests/fuzz/crash-NAME-* and tests/fuzz/NAME.log.
FUZZ_SECONDS = 60
FUZZ_NAMES = linebuf text server auth tui_lines tui_editor history tui_replay \
	ban oper conffile tui_config tui_urls tui_complete
FUZZ_HARNESSES = \
	tests/fuzz/fuzz_linebuf tests/fuzz/fuzz_text tests/fuzz/fuzz_server \
	tests/fuzz/fuzz_auth tests/fuzz/fuzz_tui_lines \
	tests/fuzz/fuzz_tui_editor tests/fuzz/fuzz_history \
	tests/fuzz/fuzz_tui_replay tests/fuzz/fuzz_ban tests/fuzz/fuzz_oper \
	tests/fuzz/fuzz_conffile tests/fuzz/fuzz_tui_config \
	tests/fuzz/fuzz_tui_urls tests/fuzz/fuzz_tui_complete

EXTRA_DIST += tests/fuzz/seed

if FUZZING
noinst_PROGRAMS += $(FUZZ_HARNESSES)
endif

# Each harness compiles the code it drives itself, so all of it carries
# the fuzzer's coverage instrumentation and the sanitizers.
FUZZ_COMPILE = $(AM_CFLAGS) $(FUZZ_CFLAGS)
FUZZ_LINK = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
FUZZ_TEXT_SOURCES = common/text.c common/text.h tests/fault_safe.c \
	tests/fault.h
FUZZ_TUI_SOURCES = tui/scrollback.c tui/style.c tui/wrap.c tui/tui.h \
	common/xmalloc.c common/xmalloc.h

tests_fuzz_fuzz_linebuf_SOURCES = tests/fuzz/fuzz_linebuf.c \
	common/linebuf.c common/linebuf.h common/xmalloc.c common/xmalloc.h
tests_fuzz_fuzz_linebuf_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_linebuf_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_text_SOURCES = tests/fuzz/fuzz_text.c $(FUZZ_TEXT_SOURCES)
tests_fuzz_fuzz_text_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_text_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_server_SOURCES = tests/fuzz/fuzz_server.c \
	$(server_libserver_a_SOURCES) $(common_libcommon_a_SOURCES) \
	tests/fault_safe.c tests/fault.h
tests_fuzz_fuzz_server_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_server_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_server_LDADD = compat/libcompat.a

tests_fuzz_fuzz_auth_SOURCES = tests/fuzz/fuzz_auth.c \
	$(server_libserver_a_SOURCES) $(common_libcommon_a_SOURCES)
tests_fuzz_fuzz_auth_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_auth_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_auth_LDADD = compat/libcompat.a

tests_fuzz_fuzz_ban_SOURCES = tests/fuzz/fuzz_ban.c \
	$(server_libserver_a_SOURCES) $(common_libcommon_a_SOURCES)
tests_fuzz_fuzz_ban_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_ban_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_ban_LDADD = compat/libcompat.a

tests_fuzz_fuzz_oper_SOURCES = tests/fuzz/fuzz_oper.c \
	$(server_libserver_a_SOURCES) $(common_libcommon_a_SOURCES)
tests_fuzz_fuzz_oper_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_oper_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_oper_LDADD = compat/libcompat.a

tests_fuzz_fuzz_tui_lines_SOURCES = tests/fuzz/fuzz_tui_lines.c \
	$(FUZZ_TUI_SOURCES) $(FUZZ_TEXT_SOURCES)
tests_fuzz_fuzz_tui_lines_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_tui_lines_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_tui_editor_SOURCES = tests/fuzz/fuzz_tui_editor.c \
	tui/editor.c tui/keys.c tui/search.c tui/complete.c tui/paste.c \
	$(FUZZ_TUI_SOURCES) $(FUZZ_TEXT_SOURCES)
tests_fuzz_fuzz_tui_editor_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_tui_editor_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_tui_urls_SOURCES = tests/fuzz/fuzz_tui_urls.c \
	tui/urls.c tui/osc.c tui/notify.c $(FUZZ_TUI_SOURCES) \
	$(FUZZ_TEXT_SOURCES)
tests_fuzz_fuzz_tui_urls_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_tui_urls_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_tui_complete_SOURCES = tests/fuzz/fuzz_tui_complete.c \
	tui/complete.c tui/editor.c $(FUZZ_TUI_SOURCES) $(FUZZ_TEXT_SOURCES)
tests_fuzz_fuzz_tui_complete_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_tui_complete_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_history_SOURCES = tests/fuzz/fuzz_history.c \
	server/history.c common/utc.c common/xmalloc.c $(FUZZ_TEXT_SOURCES)
tests_fuzz_fuzz_history_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_history_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_history_LDADD = compat/libcompat.a

tests_fuzz_fuzz_tui_replay_SOURCES = tests/fuzz/fuzz_tui_replay.c \
	tui/replay.c common/utc.c $(FUZZ_TUI_SOURCES) $(FUZZ_TEXT_SOURCES)
tests_fuzz_fuzz_tui_replay_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_tui_replay_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_conffile_SOURCES = tests/fuzz/fuzz_conffile.c \
	common/conffile.c common/conffile.h common/xmalloc.c common/xmalloc.h \
	$(FUZZ_TEXT_SOURCES)
tests_fuzz_fuzz_conffile_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_conffile_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_tui_config_SOURCES = tests/fuzz/fuzz_tui_config.c \
	tui/options.c tui/ignore.c tui/stamp.c tui/tui.h \
	common/conffile.c common/conffile.h common/net.c common/net.h \
	common/optvalue.c common/optvalue.h \
	common/xmalloc.c common/xmalloc.h $(FUZZ_TEXT_SOURCES)
tests_fuzz_fuzz_tui_config_CFLAGS = $(FUZZ_COMPILE)
tests_fuzz_fuzz_tui_config_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_tui_config_LDADD = compat/libcompat.a

CLEANFILES += tests/fuzz/*.log
clean-local: clean-fuzz
clean-fuzz:
	-rm -rf tests/fuzz/corpus tests/fuzz/crash-*

if FUZZING
fuzz: $(FUZZ_HARNESSES)
	@status=0; for name in $(FUZZ_NAMES); do \
		mkdir -p tests/fuzz/corpus/$$name; \
		log=tests/fuzz/$$name.log; \
		if ./tests/fuzz/fuzz_$$name -max_total_time=$(FUZZ_SECONDS) \
		    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		    -artifact_prefix=tests/fuzz/crash-$$name- \
		    tests/fuzz/corpus/$$name $(srcdir)/tests/fuzz/seed/$$name \
		    >$$log 2>&1; then \
			runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' \
			    $$log); \
			secs=$$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) .*/\1/p' \
			    $$log); \
			inputs=$$(ls tests/fuzz/corpus/$$name | wc -l); \
			echo "PASS: fuzz_$$name: $$runs runs in $$secs s," \
			    "corpus $$inputs inputs"; \
		else \
			status=1; echo "FAIL: fuzz_$$name (see $$log)"; \
			grep -A 12 -E '^==[0-9]+==|^SUMMARY' $$log | head -40; \
		fi; \
	done; exit $$status
else
fuzz:
	@echo "make fuzz: configure with --enable-fuzzing CC=clang first" >&2
	@exit 1
endif
.PHONY: fuzz clean-fuzz
