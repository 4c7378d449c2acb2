#!/usr/bin/env bash
# DSSE fixtures: PEM key pairs made by OpenSSL and images/sample.sif signed with them by sifkit
# (`sifkit sign --key K.pem`). No Debian package signs DSSE (Debian's sylabs/sif is 2.8.3, which
# predates it); sifkit's DSSE envelopes equal sylabs/sif v2.24.1's byte for byte in the conformance
# suite (Test_dsseEncoder_signMessage goldens), so sifkit is the signer here.
# Run from anywhere after `npm run build`:  bash testdata/dsse/make.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"
rm -f ./*.pem ./*.sif
openssl genpkey -algorithm ed25519 -out ed25519-private.pem
openssl pkey -in ed25519-private.pem -pubout -out ed25519-public.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256-private.pem
openssl pkey -in p256-private.pem -pubout -out p256-public.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384-private.pem
openssl pkey -in p384-private.pem -pubout -out p384-public.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-private.pem
openssl pkey -in rsa-private.pem -pubout -out rsa-public.pem
for k in ed25519 p256 p384 rsa; do
  cp "$root/testdata/images/sample.sif" "sample-$k.sif"
  node "$root/bin/sifkit.js" sign --deterministic --time 2026-01-01T00:00:00Z --key "$k-private.pem" "sample-$k.sif" >/dev/null
done
chmod 644 ./*
