#!/usr/bin/env bash
# Builds remoteyaml (test/remoteyaml/main.go), singularity's remote.yaml schema with yaml.v3 from Debian's
# packages (golang-gopkg-yaml.v3-dev), offline, in GOPATH mode.
# Usage: test/remoteyaml/build.sh OUTPUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTPUT}
for p in golang-go golang-gopkg-yaml.v3-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || { echo "build.sh: Debian package $p is missing (apt-get install $p)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/remoteyaml"
cp "$here/main.go" "$work/src/remoteyaml/"
mkdir -p "$(dirname "$out")"
(cd "$work/src/remoteyaml" && GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS= GOCACHE="${GOCACHE:-$work/cache}" go build -o "$out" .)
echo "built $out"
