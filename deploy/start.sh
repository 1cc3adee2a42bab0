#!/bin/sh
# Start the service that install.sh put in this script's directory; arguments go to
# `lastseen-ingest start` (e.g. --port 3000), the environment configures the rest.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/node_modules/.bin/lastseen-ingest" start "$@"
