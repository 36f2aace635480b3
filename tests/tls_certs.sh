#!/bin/sh
# tests/tls_certs.sh DIR: certificates for the TLS tests, made with the
# openssl command at test time (nothing secret is kept in the tree).
#	DIR/ca.pem			a test CA
#	DIR/localhost.pem, .key		localhost, 127.0.0.1 and ::1, by the CA
#	DIR/localhost2.pem, .key	the same names, another key (SIGHUP)
#	DIR/wrongname.pem, .key		wrong.example, by the CA
#	DIR/expired.pem, .key		localhost, by the CA, expired in 2001
#	DIR/selfsigned.pem, .key	localhost, signed by itself
# P-256 keys, so the whole set takes a fraction of a second.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: tls_certs.sh DIR" >&2
	exit 2
fi
dir=$1
mkdir -p "$dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/tls_certs.XXXXXX")
trap 'rm -rf "$work"' EXIT

LOCAL_NAMES="DNS:localhost,IP:127.0.0.1,IP:::1"
DAYS=30

key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$1" 2>/dev/null
	chmod 600 "$1"
}

# csr NAME CN: a key and a request for it.
csr() {
	key "$dir/$1.key"
	openssl req -new -key "$dir/$1.key" -subj "/CN=$2" \
	    -out "$work/$1.csr"
}

# The extensions of a server certificate for names.
ext() {
	printf 'basicConstraints=critical,CA:FALSE\n'
	printf 'keyUsage=critical,digitalSignature\n'
	printf 'extendedKeyUsage=serverAuth\n'
	printf 'subjectAltName=%s\n' "$1"
}

# signed NAME CN NAMES: a server certificate signed by the CA.
signed() {
	csr "$1" "$2"
	ext "$3" >"$work/$1.ext"
	openssl x509 -req -in "$work/$1.csr" -CA "$dir/ca.pem" \
	    -CAkey "$work/ca.key" -set_serial "$serial" -days "$DAYS" \
	    -sha256 -extfile "$work/$1.ext" -out "$dir/$1.pem" 2>/dev/null
	serial=$((serial + 1))
}

key "$work/ca.key"
openssl req -x509 -new -key "$work/ca.key" -subj "/CN=chat test CA" \
    -days "$DAYS" -sha256 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$dir/ca.pem"
serial=1000

signed localhost localhost "$LOCAL_NAMES"
signed localhost2 localhost "$LOCAL_NAMES"
signed wrongname wrong.example "DNS:wrong.example"

# Expired: "openssl ca" is the one way to set both dates that works on
# OpenSSL 1.1.1 and 3.x alike.
csr expired localhost
ext "$LOCAL_NAMES" >"$work/expired.ext"
: >"$work/index.txt"
cat >"$work/ca.cnf" <<EOF
[ca]
default_ca = test_ca
[test_ca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
EOF
echo "$serial" >"$work/serial"
openssl ca -batch -config "$work/ca.cnf" -cert "$dir/ca.pem" \
    -keyfile "$work/ca.key" -startdate 20000101000000Z \
    -enddate 20010101000000Z -extfile "$work/expired.ext" -notext \
    -in "$work/expired.csr" -out "$dir/expired.pem" 2>/dev/null

key "$dir/selfsigned.key"
ext "$LOCAL_NAMES" >"$work/selfsigned.ext"
openssl req -x509 -new -key "$dir/selfsigned.key" -subj "/CN=localhost" \
    -days "$DAYS" -sha256 -addext "subjectAltName=$LOCAL_NAMES" \
    -out "$dir/selfsigned.pem"
