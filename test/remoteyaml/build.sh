#!/usr/bin/env bash
# Builds remoteyaml (test/remoteyaml/main.go: singularity's remote.yaml schema with yaml.v3) from Debian's golang-gopkg-yaml.v3-dev.
# Usage: test/remoteyaml/build.sh OUTPUT
exec bash "$(dirname "$0")/../gobuild.sh" "$(dirname "$0")" "${1:?usage: build.sh OUTPUT}" golang-gopkg-yaml.v3-dev
