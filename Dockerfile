# syntax=docker/dockerfile:1
# One Dockerfile for every runnable module, chosen with the build argument MODULE (ingest-service, web-portal,
# device-agent, launcher, firmware-bridge): the modules share one parent pom and are packaged the same way (the
# "runnable" profile: target/<module>-<version>.jar with a Class-Path manifest and its dependencies in target/lib),
# so one build file keeps the image layout, the user and the health check the same for all of them.
#   docker build --build-arg MODULE=ingest-service --build-arg HEALTH_PORT=9464 -t ims-ingest .
# HEALTH_PORT/HEALTH_PATH: where the module answers GET with 200 while healthy (CONTRACT.md: the portal's /health on
# HTTP_PORT, the ingest's /health on its --metrics-port); empty: the check is that the process runs.

FROM maven:3.9-eclipse-temurin-17 AS build
ARG MODULE
WORKDIR /src
COPY . .
# The module and what it depends on; the local Maven repository is a build cache, not part of any image.
RUN --mount=type=cache,target=/root/.m2 \
    test -n "$MODULE" && test -f "$MODULE/src/main/app" \
    && mvn -B -q -pl "$MODULE" -am -DskipTests package \
    && mkdir -p /out \
    && cp "$(ls "$MODULE"/target/"$MODULE"-*.jar | grep -v -e '-tests\.jar$' -e '-sources\.jar$')" /out/app.jar \
    && cp -r "$MODULE/target/lib" /out/lib

FROM eclipse-temurin:17-jre
ARG MODULE
ARG HEALTH_PORT=
ARG HEALTH_PATH=/health
LABEL org.opencontainers.image.title="ims-${MODULE}" \
      org.opencontainers.image.description="Intelligent Meter System: ${MODULE}"
# A fixed, unprivileged user: the compose file's init service gives it the identity and key volumes.
RUN groupadd --system --gid 10001 ims \
    && useradd --system --uid 10001 --gid ims --home-dir /data --no-create-home ims \
    && mkdir -p /data/identities /data/provisioning /app \
    && chown -R ims:ims /data
COPY --from=build /out/ /app/
COPY deploy/healthcheck.sh /app/healthcheck.sh
RUN printf 'HEALTH_PORT=%s\nHEALTH_PATH=%s\n' "$HEALTH_PORT" "$HEALTH_PATH" > /app/health.conf \
    && chmod 0755 /app/healthcheck.sh
USER ims
WORKDIR /data
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["/app/healthcheck.sh"]
# The JVM sizes its heap from the container's memory limit.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
