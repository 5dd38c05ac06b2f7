/** The embedded HiveMQ Community Edition broker, configured not to drop queued QoS 1 messages. */
package dev.ims.embedded.broker;
