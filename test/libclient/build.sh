#!/usr/bin/env bash
# Builds libclient (test/libclient/main.go: the reference Go library client) from Debian's golang-github-apptainer-container-library-client-dev.
# Usage: test/libclient/build.sh OUTPUT
exec bash "$(dirname "$0")/../gobuild.sh" "$(dirname "$0")" "${1:?usage: build.sh OUTPUT}" golang-github-apptainer-container-library-client-dev
