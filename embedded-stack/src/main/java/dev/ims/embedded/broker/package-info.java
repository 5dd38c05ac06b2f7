/**
 * The embedded HiveMQ Community Edition broker, configured not to drop the ingest's queued QoS 1 messages,
 * and limited for everyone else: packets over {@code maxPacketSize} refused, and every client but the
 * ingest held to a short session expiry and a small queue ({@code ClientPolicy}, applied by an embedded
 * extension). Its folder is the running account's only (0700/0600).
 */
package dev.ims.embedded.broker;
