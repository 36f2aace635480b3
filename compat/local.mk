# Portable replacements chosen by AC_REPLACE_FUNCS.
noinst_LIBRARIES += compat/libcompat.a
compat_libcompat_a_SOURCES = common/compat.h
compat_libcompat_a_LIBADD = $(LIBOBJS)
compat_libcompat_a_DEPENDENCIES = $(LIBOBJS)
