#!/usr/bin/env bash
# Builds keyclient (test/keyclient/main.go: the reference Go keyserver client) from Debian's golang-github-apptainer-container-key-client-dev.
# Usage: test/keyclient/build.sh OUTPUT
exec bash "$(dirname "$0")/../gobuild.sh" "$(dirname "$0")" "${1:?usage: build.sh OUTPUT}" golang-github-apptainer-container-key-client-dev
