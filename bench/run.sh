#!/usr/bin/env bash
# Installs the peers hookd is compared with (inotify-tools and Watchman,
# from Debian) when it can, then runs the bench. Arguments go to the bench:
#   bench/run.sh                                   # t100k
#   bench/run.sh -dirs 50000 -files 500000 -tree /var/tmp/t500k
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v inotifywait >/dev/null || ! command -v watchman >/dev/null; then
  if command -v apt-get >/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq inotify-tools watchman >/dev/null
  else
    echo "install inotify-tools and watchman to compare with them" >&2
  fi
fi
exec go run ./bench "$@"
