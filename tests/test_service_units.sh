#!/bin/sh
# The unit files in contrib/ through systemd-analyze verify, with the
# service pointed at the chat-server just built (verify checks that
# ExecStart= can be run).  Any complaint fails, warnings included, since
# verify exits 0 on an unknown key.  Skipped (77) where systemd-analyze
# is missing: systemd is optional for chat-server.
set -u
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is not installed"
	exit 77
fi
src=${top_srcdir:-.}
build=${top_builddir:-.}
dir=$(mktemp -d "${TMPDIR:-/tmp}/chat-units.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

sed -e "s|@bindir[@]|$build/server|g" "$src/contrib/chat-server.service.in" \
    >"$dir/chat-server.service" || exit 1
cp "$src/contrib/chat-server.socket" "$src/contrib/chat-server-tls.socket" \
    "$dir/" || exit 1
if grep -n '@[a-z]*@' "$dir/chat-server.service"; then
	echo "FAIL: a placeholder left in chat-server.service"
	exit 1
fi

cd "$dir" || exit 1
systemd-analyze verify --man=no ./chat-server.service ./chat-server.socket \
    ./chat-server-tls.socket >verify.out 2>&1
status=$?
cat verify.out
if [ "$status" != 0 ] || [ -s verify.out ]; then
	echo "FAIL: systemd-analyze verify (exit $status) complained"
	exit 1
fi
echo "PASS: $(systemd-analyze --version | head -n1): the units verify"
