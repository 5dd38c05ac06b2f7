package dev.ims.embedded.broker;

import java.nio.file.Path;

/**
 * @param bindAddress listener address; {@value #DEFAULT_BIND_ADDRESS} so outside clients can connect
 * @param port listener port, 0 for any free port
 * @param dataDir the broker's folder (config, persistence); kept across restarts
 * @param maxQueuedMessages QoS 1 messages queued per client before the broker drops any
 */
public record EmbeddedBrokerOptions(String bindAddress, int port, Path dataDir, long maxQueuedMessages) {

    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    /** HiveMQ's own default is 1000, far below a fleet's backlog after an outage. */
    public static final long DEFAULT_MAX_QUEUED_MESSAGES = 1_000_000;

    public static EmbeddedBrokerOptions of(int port, Path dataDir) {
        return new EmbeddedBrokerOptions(DEFAULT_BIND_ADDRESS, port, dataDir, DEFAULT_MAX_QUEUED_MESSAGES);
    }
}
