/**
 * The one-command local stack: starts the embedded broker and store unless {@code MQTT_URL} /
 * {@code MONGO_URI} name real ones, then the ingest service, the portal and a simulated fleet, all in
 * one JVM and all talking over real sockets. {@link dev.ims.launcher.ImsMain} only wires.
 */
package dev.ims.launcher;
