package dev.ims.ingest;

import dev.ims.model.config.ImsSettings;
import java.time.Duration;

/**
 * @param ims the shared configuration (broker, database, prefix, zone, share group)
 * @param clientId MQTT client ID; each instance needs its own, stable across restarts, to keep its
 *     persistent session
 * @param batchSize readings written per batch at most
 * @param maxBatchDelay how long a partial batch waits for more. The default, zero, batches adaptively: a
 *     batch is what arrived while the previous one was being written, so a quiet pipeline writes each
 *     reading at once (measured: half-load p99 91 ms instead of 268 ms with 50 ms) and a busy one writes
 *     full batches
 * @param receiveMaximum the MQTT 5 receive maximum the ingest announces. The default, the protocol's
 *     largest, leaves the in-flight window to the broker's own limit (Mosquitto's
 *     {@code max_inflight_messages}, HiveMQ's in-flight window): Mosquitto 2.0.11 was measured exceeding a
 *     smaller receive maximum on a shared subscription under a burst (the client must then disconnect, and
 *     the session stalled), so a smaller value is only safe on brokers that honour it
 * @param sharedSubscription subscribe to readings through the group's shared subscription (several
 *     instances split the load), or alone ({@link #alone()}): the local stack's single ingest does,
 *     because HiveMQ CE was measured losing a shared subscription's in-flight messages when the broker
 *     process is killed, while a client's own queue keeps them
 * @param limits plausibility checks, retries and how much of a hostile flood is stored
 */
public record IngestSettings(ImsSettings ims, String clientId, int batchSize, Duration maxBatchDelay, int receiveMaximum,
        boolean sharedSubscription, IngestLimits limits) {

    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final Duration DEFAULT_MAX_BATCH_DELAY = Duration.ZERO;
    public static final int DEFAULT_RECEIVE_MAXIMUM = 65535;
    public static final Duration SESSION_EXPIRY = Duration.ofDays(7);

    public static IngestSettings of(ImsSettings ims, String clientId) {
        return new IngestSettings(ims, clientId, DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_DELAY, DEFAULT_RECEIVE_MAXIMUM, true,
                IngestLimits.DEFAULTS);
    }

    public static String defaultClientId(String group) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_-]", "-");
        } catch (java.net.UnknownHostException e) {
            host = "local";
        }
        return group + "-" + host;
    }

    /** These settings with a plain (not shared) subscription to readings. */
    public IngestSettings alone() {
        return new IngestSettings(ims, clientId, batchSize, maxBatchDelay, receiveMaximum, false, limits);
    }

    /** These settings with other limits. */
    public IngestSettings with(IngestLimits limits) {
        return new IngestSettings(ims, clientId, batchSize, maxBatchDelay, receiveMaximum, sharedSubscription, limits);
    }
}
