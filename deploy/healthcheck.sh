#!/bin/bash
# The images' HEALTHCHECK (see the Dockerfile): GET http://127.0.0.1:HEALTH_PORT/HEALTH_PATH must answer 200. The JRE
# image has bash but no curl, so the request goes through bash's /dev/tcp. Without a port (the simulated fleet has no
# HTTP endpoint) the check is that the program, PID 1, still runs.
set -u
. /app/health.conf
if [ -z "${HEALTH_PORT}" ]; then
  kill -0 1
  exit $?
fi
exec 3<>"/dev/tcp/127.0.0.1/${HEALTH_PORT}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "${HEALTH_PATH}" >&3
read -r -t 4 status <&3 || exit 1
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "unhealthy: ${status}"; exit 1 ;;
esac
