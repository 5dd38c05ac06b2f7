#!/bin/bash
# MongoDB's entry point in the compose file: creates the replica set's internal authentication key (--keyFile, needed
# as soon as a replica set runs with access control) at the first start, then hands over to the image's entry point,
# which creates the root user from MONGO_INITDB_ROOT_USERNAME/MONGO_INITDB_ROOT_PASSWORD on an empty database.
set -euo pipefail
key=/data/configdb/replica-set.key
if [ ! -s "$key" ]; then
  openssl rand -base64 756 > "$key"
fi
chown mongodb:mongodb "$key"
chmod 0400 "$key"
exec docker-entrypoint.sh "$@"
