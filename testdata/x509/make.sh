#!/usr/bin/env bash
# Regenerates the certificate fixtures of `verify --certificate` with openssl: a root CA, an
# intermediate CA, and code-signing leaves under them (ECDSA P-256): a good one, an expired one
# (2020–2021, made with `openssl ca` dates), one without the code-signing usage, and one under an
# unrelated root. Run: bash testdata/x509/make.sh
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { # ca NAME SUBJECT [ISSUER]: a CA certificate, self-signed or signed by ISSUER
  key "$work/$1-key.pem"
  if [[ $# -eq 2 ]]; then
    openssl req -x509 -new -key "$work/$1-key.pem" -days 36500 -subj "$2" -out "$1.pem" \
      -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
  else
    openssl req -new -key "$work/$1-key.pem" -subj "$2" -out "$work/$1.csr"
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$work/ext"
    openssl x509 -req -in "$work/$1.csr" -CA "$3.pem" -CAkey "$work/$3-key.pem" -CAcreateserial -days 36500 -extfile "$work/ext" -out "$1.pem" 2>/dev/null
  fi
}
leaf() { # leaf NAME ISSUER EKU [STARTDATE ENDDATE]
  key "$1-key.pem"
  openssl req -new -key "$1-key.pem" -subj "/CN=sifkit $1" -out "$work/$1.csr"
  mkdir -p "$work/db-$1"
  : >"$work/db-$1/index.txt"
  echo 1000 >"$work/db-$1/serial"
  cat >"$work/ca-$1.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $work/db-$1/index.txt
serial = $work/db-$1/serial
new_certs_dir = $work/db-$1
default_md = sha256
policy = p
copy_extensions = none
unique_subject = no
[p]
commonName = supplied
[x]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = $3
CNF
  local dates=(-days 36500)
  [[ $# -ge 5 ]] && dates=(-startdate "$4" -enddate "$5")
  openssl ca -batch -config "$work/ca-$1.cnf" -extensions x -cert "$2.pem" -keyfile "$work/$2-key.pem" \
    -in "$work/$1.csr" -out "$work/$1.crt" "${dates[@]}" -notext 2>/dev/null
  openssl x509 -in "$work/$1.crt" -out "$1.pem"
}
ca root '/CN=sifkit test root CA'
ca intermediate '/CN=sifkit test intermediate CA' root
ca other-root '/CN=another root CA'
leaf signer intermediate codeSigning
leaf expired intermediate codeSigning 20200101000000Z 20210101000000Z
leaf server intermediate serverAuth
leaf stranger other-root codeSigning
rm -f root.srl other-root.srl intermediate.srl
echo "certificates written to $(pwd)"
