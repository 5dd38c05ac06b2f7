/**
 * The embedded HiveMQ Community Edition broker, configured not to drop the ingest's queued QoS 1 messages,
 * and limited for everyone else: packets over {@code maxPacketSize} refused, and every client but the
 * ingest held to a short session expiry and a small queue ({@code ClientPolicy}, applied by an embedded
 * extension). Its folder is the running account's only (0700/0600). Optionally a TLS listener beside the plain
 * one ({@code BrokerTls}: a CA and server certificate generated at the first start, or the operator's own), where a
 * client certificate the CA signed is an identity by its CN.
 */
package dev.ims.embedded.broker;
