#!/usr/bin/env bash
# Builds sif-ref (test/oracle/main.go) against the reference Go SIF library from Debian's packages
# (golang-github-sylabs-sif-dev 2.8.3 and its go-crypto), offline, in GOPATH mode.
# Usage: test/oracle/build.sh OUTPUT   (.ci/run installs the packages; this script checks for them)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTPUT}
for p in golang-go golang-github-sylabs-sif-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || { echo "build.sh: Debian package $p is missing (apt-get install $p)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Debian installs sif v2 at the v1 import path; the v2 path the program imports points there.
mkdir -p "$work/src/github.com/sylabs/sif" "$work/src/sif-ref"
ln -s /usr/share/gocode/src/github.com/sylabs/sif "$work/src/github.com/sylabs/sif/v2"
cp "$here/main.go" "$work/src/sif-ref/"
mkdir -p "$(dirname "$out")"
(cd "$work/src/sif-ref" && GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS= GOCACHE="${GOCACHE:-$work/cache}" go build -o "$out" .)
echo "built $out"
