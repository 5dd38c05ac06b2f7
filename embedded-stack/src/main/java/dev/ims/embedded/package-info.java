/**
 * Embedded stand-ins for a real broker and a real MongoDB, reached by the real clients over real
 * sockets: what the one-command local stack runs on and what the integration tests start once per
 * suite. Nothing here is used when {@code MQTT_URL} / {@code MONGO_URI} name real servers.
 */
package dev.ims.embedded;
