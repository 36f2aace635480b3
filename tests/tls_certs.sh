#!/bin/sh
# tests/tls_certs.sh DIR: throwaway certificates for the TLS tests, made
# with the openssl command alone (EC P-256 keys, quick to make).  In DIR:
#
#   ca.pem                        a test CA (trust it with --tls-ca)
#   localhost.pem, localhost.key  for localhost, 127.0.0.1 and ::1,
#                                 signed by the test CA
#   localhost2.pem, localhost2.key  the same names, another key (for a
#                                 certificate renewed under SIGHUP)
#   wrongname.pem, wrongname.key  for wrong.example, signed by the test CA
#   expired.pem, expired.key      for localhost, signed by the test CA,
#                                 valid from 2001 to 2002 only
#   selfsigned.pem, selfsigned.key  for localhost, self-signed
#   other.pem, other.key          for localhost, signed by another CA
#                                 (otherca.pem) that nobody trusts
#
# Exits 77 (skip) when the openssl command is missing, 1 when it fails.
# The CA keys and the CA database stay in DIR/ca/.

set -e
dir=${1:?usage: tls_certs.sh DIR}
if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: the openssl command is not installed"
	exit 77
fi
mkdir -p "$dir/ca"
cd "$dir"

DAYS=30		# long enough for any test run, short enough to be obviously test-only

# A minimal configuration of our own, so nothing depends on the system's
# openssl.cnf; "openssl ca" is the one way to set both validity dates
# that works from OpenSSL 1.1.1 to 3.x.
cat >ca/openssl.cnf <<'EOF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = ca
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
EOF

key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$1" 2>/dev/null
}

# ca NAME SUBJECT: a self-signed CA certificate NAME.pem, its key in ca/.
ca() {
	key "ca/$1.key"
	openssl req -config ca/openssl.cnf -new -x509 -days $DAYS \
	    -key "ca/$1.key" -subj "/CN=$2" -extensions v3_ca -out "$1.pem"
}

# leaf NAME CN SAN CA [openssl ca options]: NAME.pem and NAME.key for CN
# with the subjectAltName SAN, signed by CA.
leaf() {
	name=$1 cn=$2 san=$3 signer=$4
	shift 4
	key "$name.key"
	openssl req -config ca/openssl.cnf -new -key "$name.key" \
	    -subj "/CN=$cn" -out "ca/$name.csr"
	printf 'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = %s\n' \
	    "$san" >"ca/$name.ext"
	: >ca/index.txt
	[ -f ca/serial ] || echo 1000 >ca/serial
	openssl ca -config ca/openssl.cnf -batch -notext \
	    -cert "$signer.pem" -keyfile "ca/$signer.key" \
	    -in "ca/$name.csr" -extfile "ca/$name.ext" -out "$name.pem" \
	    "$@" 2>/dev/null
}

LOCAL="DNS:localhost, IP:127.0.0.1, IP:::1"
ca ca "chat test CA"
ca otherca "an untrusted CA"
leaf localhost localhost "$LOCAL" ca -days $DAYS
leaf localhost2 localhost "$LOCAL" ca -days $DAYS
leaf wrongname wrong.example "DNS:wrong.example" ca -days $DAYS
leaf expired localhost "$LOCAL" ca \
    -startdate 20010101000000Z -enddate 20020101000000Z
leaf other localhost "$LOCAL" otherca -days $DAYS
key selfsigned.key
openssl req -config ca/openssl.cnf -new -x509 -days $DAYS \
    -key selfsigned.key -subj "/CN=localhost" \
    -addext "subjectAltName = $LOCAL" -out selfsigned.pem
