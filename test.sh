#!/usr/bin/env bash
# Runs every test. Extra arguments go to `go test` (e.g. ./test.sh -race).
set -euo pipefail
cd "$(dirname "$0")"
go test "$@" ./...
