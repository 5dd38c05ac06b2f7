package dev.ims.ingest;

import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.Credential;
import dev.ims.model.security.ServiceCredentials;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

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
 * @param backlogCredential the identity of the second session, which takes {@code {prefix}/+/backlog} (history and
 *     outbox drains) through an in-flight window of its own, so that a backlog never delays a live reading; its
 *     username is {@link #backlogIdentity(String) clientId-backlog}. Null: one session takes both (with a warning at
 *     start), as before the backlog topic existed
 */
public record IngestSettings(ImsSettings ims, String clientId, int batchSize, Duration maxBatchDelay, int receiveMaximum,
        boolean sharedSubscription, IngestLimits limits, Credential backlogCredential) {

    /** The end of the backlog session's identity: {@code <client ID>-backlog}. */
    public static final String BACKLOG_SUFFIX = "-backlog";
    /** The backlog session's password for a standalone ingest whose first identity comes from {@code MQTT_PASSWORD}. */
    public static final String MQTT_BACKLOG_PASSWORD = "MQTT_BACKLOG_PASSWORD";

    public IngestSettings {
        if (backlogCredential != null && !backlogCredential.username().equals(backlogIdentity(clientId))) {
            throw new IllegalArgumentException("the backlog session's identity must be '" + backlogIdentity(clientId) + "', got '"
                    + backlogCredential.username() + "'");
        }
    }

    /** Settings without a backlog session of their own (see {@link #withBacklog}). */
    public IngestSettings(ImsSettings ims, String clientId, int batchSize, Duration maxBatchDelay, int receiveMaximum,
            boolean sharedSubscription, IngestLimits limits) {
        this(ims, clientId, batchSize, maxBatchDelay, receiveMaximum, sharedSubscription, limits, null);
    }

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

    /** The identity (and client ID) of ingest instance {@code clientId}'s backlog session. */
    public static String backlogIdentity(String clientId) {
        return clientId + BACKLOG_SUFFIX;
    }

    /**
     * The backlog session's credential of a standalone ingest, found like its first one: with {@code MQTT_USERNAME} set,
     * {@value #MQTT_BACKLOG_PASSWORD} (username {@code <client ID>-backlog}); else the identity file
     * {@code IMS_DATA_DIR/identities/<client ID>-backlog.json}. Empty when there is neither.
     */
    public static Optional<Credential> backlogCredential(ImsSettings ims, String clientId, Map<String, String> env) {
        String password = env.get(MQTT_BACKLOG_PASSWORD);
        if (ims.mqttUsername() != null && password != null && !password.isBlank()) {
            return Optional.of(new Credential(backlogIdentity(clientId), password));
        }
        return ServiceCredentials.load(ServiceCredentials.file(ims.dataDir(), backlogIdentity(clientId)));
    }

    /** These settings with a plain (not shared) subscription to readings. */
    public IngestSettings alone() {
        return new IngestSettings(ims, clientId, batchSize, maxBatchDelay, receiveMaximum, false, limits, backlogCredential);
    }

    /** These settings with other limits. */
    public IngestSettings with(IngestLimits limits) {
        return new IngestSettings(ims, clientId, batchSize, maxBatchDelay, receiveMaximum, sharedSubscription, limits, backlogCredential);
    }

    /** These settings with a backlog session under {@code credential} (username {@link #backlogIdentity}); null: none. */
    public IngestSettings withBacklog(Credential credential) {
        return new IngestSettings(ims, clientId, batchSize, maxBatchDelay, receiveMaximum, sharedSubscription, limits, credential);
    }
}
