# Code both programs share, built once.
noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = \
	common/compat.h \
	common/conffile.c common/conffile.h \
	common/linebuf.c common/linebuf.h \
	common/log.c common/log.h \
	common/net.c common/net.h \
	common/optvalue.c common/optvalue.h \
	common/proto.h \
	common/stream.c common/stream.h \
	common/text.c common/text.h \
	common/usage.c common/usage.h \
	common/utc.c common/utc.h \
	common/xmalloc.c common/xmalloc.h
