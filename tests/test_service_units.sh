#!/bin/sh
# The unit files in contrib/ through systemd-analyze verify, with the
# services pointed at the chat-server just built (verify checks that
# ExecStart= can be run); the template chat-server@.service as its
# instance chat-server@1.service.  Any complaint fails, warnings
# included, since verify exits 0 on an unknown key.  Then, where
# logrotate is installed, contrib/chat-server.logrotate through
# logrotate -d on a copy pointed at a scratch directory.  Skipped (77)
# where systemd-analyze is missing: systemd is optional for chat-server.
set -u
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is not installed"
	exit 77
fi
src=${top_srcdir:-.}
build=${top_builddir:-.}
dir=$(mktemp -d "${TMPDIR:-/tmp}/chat-units.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

for unit in chat-server.service chat-server@.service; do
	sed -e "s|@bindir[@]|$build/server|g" "$src/contrib/$unit.in" \
	    >"$dir/$unit" || exit 1
	if grep -n '@[a-z]*@' "$dir/$unit"; then
		echo "FAIL: a placeholder left in $unit"
		exit 1
	fi
done
cp "$src/contrib/chat-server.socket" "$src/contrib/chat-server-tls.socket" \
    "$dir/" || exit 1

cd "$dir" || exit 1
systemd-analyze verify --man=no ./chat-server.service ./chat-server.socket \
    ./chat-server-tls.socket ./chat-server@1.service >verify.out 2>&1
status=$?
cat verify.out
if [ "$status" != 0 ] || [ -s verify.out ]; then
	echo "FAIL: systemd-analyze verify (exit $status) complained"
	exit 1
fi

if command -v logrotate >/dev/null 2>&1; then
	mkdir logs || exit 1
	echo "2026-12-01T12:00:00.000Z listen [::]:2000" >logs/1.log
	sed -e "s|/var/log/chat-server/|$dir/logs/|" \
	    "$src/contrib/chat-server.logrotate" >logrotate.conf || exit 1
	logrotate -d -f -s state logrotate.conf >logrotate.out 2>&1
	status=$?
	cat logrotate.out
	if [ "$status" != 0 ] || grep -qi '^error' logrotate.out ||
	    ! grep -q 'rotating log .*/logs/1.log' logrotate.out ||
	    ! grep -q 'systemctl kill .*-s HUP' logrotate.out; then
		echo "FAIL: logrotate -d (exit $status) on chat-server.logrotate"
		exit 1
	fi
	echo "PASS: logrotate reads chat-server.logrotate"
else
	echo "logrotate is not installed: chat-server.logrotate not checked"
fi
echo "PASS: $(systemd-analyze --version | head -n1): the units verify"
