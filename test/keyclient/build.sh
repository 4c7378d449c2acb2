#!/usr/bin/env bash
# Builds keyclient (test/keyclient/main.go) against the reference Go keyserver client from Debian's
# packages (golang-github-apptainer-container-key-client-dev), offline, in GOPATH mode.
# Usage: test/keyclient/build.sh OUTPUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTPUT}
for p in golang-go golang-github-apptainer-container-key-client-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || { echo "build.sh: Debian package $p is missing (apt-get install $p)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/keyclient"
cp "$here/main.go" "$work/src/keyclient/"
mkdir -p "$(dirname "$out")"
(cd "$work/src/keyclient" && GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS= GOCACHE="${GOCACHE:-$work/cache}" go build -o "$out" .)
echo "built $out"
