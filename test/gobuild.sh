#!/usr/bin/env bash
# Builds one of the project's small Go programs (test/keyclient, test/libclient, test/remoteyaml)
# against Debian's Go packages, offline, in GOPATH mode.
# Usage: test/gobuild.sh SOURCE_DIR OUTPUT DEBIAN_PACKAGE...
set -euo pipefail
src=$(cd "${1:?usage: gobuild.sh SOURCE_DIR OUTPUT PACKAGE...}" && pwd)
out=${2:?usage: gobuild.sh SOURCE_DIR OUTPUT PACKAGE...}
shift 2
name=$(basename "$src")
for p in golang-go "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || { echo "gobuild.sh: Debian package $p is missing (apt-get install $p)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/$name" "$(dirname "$out")"
cp "$src/main.go" "$work/src/$name/"
(cd "$work/src/$name" && GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS= GOCACHE="${GOCACHE:-$work/cache}" go build -o "$out" .)
echo "built $out"
