#!/usr/bin/env bash
# Builds libclient (test/libclient/main.go) against the reference Go library client from Debian's
# packages (golang-github-apptainer-container-library-client-dev), offline, in GOPATH mode.
# Usage: test/libclient/build.sh OUTPUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTPUT}
for p in golang-go golang-github-apptainer-container-library-client-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || { echo "build.sh: Debian package $p is missing (apt-get install $p)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/libclient"
cp "$here/main.go" "$work/src/libclient/"
mkdir -p "$(dirname "$out")"
(cd "$work/src/libclient" && GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS= GOCACHE="${GOCACHE:-$work/cache}" go build -o "$out" .)
echo "built $out"
