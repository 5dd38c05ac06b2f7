#!/bin/bash
# The compose file's one-shot init service (the launcher's image, run as root). Once: writes Mosquitto's
# dynamic-security file (an admin identity, the ingest, portal and monitor roles and their clients, everything else denied)
# with `ims mosquitto-init`, keeping every identity's secret in /init/identities (the volume broker-identities).
# Later starts bring the file to this version's rights (--upgrade). Every start: gives each service its own identity, and nothing else, in its own volume, owned by the services' user;
# and the portal's provisioning-key volume to that user. The secrets are generated here, never written in a file of
# the repository. Arguments: the ingest instances' client IDs; each also gets <client ID>-backlog, the identity of its
# backlog session.
set -euo pipefail
uid=10001
args=()
for ingest in "$@"; do
  args+=(--ingest "$ingest")
done
if [ ! -f /mosquitto-data/dynamic-security.json ]; then
  java -cp /app/app.jar dev.ims.launcher.MosquittoInitMain "${args[@]}" --portal ims-portal /mosquitto-data
else
  # A volume from an earlier version: this version's rights for every meter and service (e.g. the backlog topic, the
  # monitor's $SYS) and the identities it lacks; every account kept. Nothing is written when it is current. Mosquitto
  # starts after this service, so it reads the upgraded file.
  java -cp /app/app.jar dev.ims.launcher.MosquittoInitMain "${args[@]}" --portal ims-portal --upgrade /mosquitto-data
fi
# Mosquitto's image makes /mosquitto its own at start; until then the file is root's alone (0600).
for ingest in "$@"; do
  install -d -o "$uid" -g "$uid" -m 0700 "/identities/$ingest"
  install -o "$uid" -g "$uid" -m 0600 "/init/identities/$ingest.json" "/identities/$ingest/"
  if [ -f "/init/identities/$ingest-backlog.json" ]; then
    install -o "$uid" -g "$uid" -m 0600 "/init/identities/$ingest-backlog.json" "/identities/$ingest/"
  fi
done
install -d -o "$uid" -g "$uid" -m 0700 /identities/portal
install -o "$uid" -g "$uid" -m 0600 /init/identities/ims-portal.json /init/identities/ims-admin.json /identities/portal/
# The portal's broker monitor ($SYS/# only).
install -o "$uid" -g "$uid" -m 0600 /init/identities/ims-monitor.json /identities/portal/
chown "$uid:$uid" /provisioning
chmod 0700 /provisioning
echo "Broker identities ready: $* (ingest, each with its -backlog identity), ims-portal, ims-admin and ims-monitor (portal)."
