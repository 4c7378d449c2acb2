#!/usr/bin/env bash
# Regenerates the TLS fixtures of the keyserver tests with openssl: a test CA and a certificate for
# 127.0.0.1/localhost signed by it, valid for 100 years. Run: bash testdata/tls/make.sh
set -euo pipefail
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj '/CN=sifkit test CA' \
  -keyout ca-key.pem -out ca.pem -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign'
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=127.0.0.1' -keyout server-key.pem -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 36500 -extfile ext.cnf -out server.pem
rm -f server.csr ext.cnf ca.srl ca-key.pem
