#!/bin/sh
# Install the ingestion service into a directory, with npm, as every deploy file here does:
#   deploy/install.sh <dir> [package ...]
# <package> is what npm installs: @lastseen/ingest (the default), a version, or a packed
# tarball. Extra npm flags come from LASTSEEN_NPM_FLAGS (e.g. --omit=optional when the service
# uses a ClickHouse server and needs no embedded engine). start.sh is copied next to the install.
set -eu
dir=${1:?usage: install.sh <dir> [package ...]}
shift
[ "$#" -gt 0 ] || set -- @lastseen/ingest
mkdir -p "$dir"
[ -f "$dir/package.json" ] || printf '{ "name": "lastseen-install", "private": true }\n' >"$dir/package.json"
# shellcheck disable=SC2086 # the flags are words on purpose
npm install --prefix "$dir" --no-audit --no-fund --omit=dev ${LASTSEEN_NPM_FLAGS:-} "$@"
cp "$(dirname "$0")/start.sh" "$dir/start.sh"
chmod 755 "$dir/start.sh"
