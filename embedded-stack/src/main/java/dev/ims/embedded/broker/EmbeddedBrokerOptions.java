package dev.ims.embedded.broker;

import dev.ims.model.config.BindAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * @param bindAddress listener address; {@link BindAddress#LOOPBACK} unless {@code IMS_BIND_ADDRESS} opens it to the network
 * @param port listener port, 0 for any free port
 * @param dataDir the broker's folder (config, persistence); kept across restarts; created 0700
 * @param maxQueuedMessages QoS 1 messages queued for the ingest's session, and for each shared subscription's
 *     group, before the broker drops any
 * @param maxPacketSize the largest MQTT packet (in bytes, header included) the broker accepts from a client;
 *     a client sending a larger one is disconnected. MQTT 5 clients learn it from the CONNACK
 * @param maxSessionExpiry the longest session expiry the broker grants any client but the ingest, whatever the
 *     client asks in CONNECT or DISCONNECT (MQTT 3.1.1 clean-session-false included); whole seconds
 * @param maxClientQueue QoS 1 messages queued for any client's own session but the ingest's, before the
 *     broker drops the newest
 * @param security who may connect and what they may do; the ingest's identities keep the session expiry they ask
 *     for and the {@code maxQueuedMessages} queue (see {@code ClientPolicy}). By default nobody may connect.
 */
public record EmbeddedBrokerOptions(BindAddress bindAddress, int port, Path dataDir, long maxQueuedMessages, int maxPacketSize,
        Duration maxSessionExpiry, long maxClientQueue, BrokerSecurity security) {

    /** This machine only: a meter elsewhere connects when {@code IMS_BIND_ADDRESS} says so. */
    public static final BindAddress DEFAULT_BIND_ADDRESS = BindAddress.LOOPBACK;
    /** HiveMQ's own default is 1000, far below a fleet's backlog after an outage. */
    public static final long DEFAULT_MAX_QUEUED_MESSAGES = 1_000_000;
    /** 64 KiB: a reading is at most 16 KiB (the contract's payload limit); the rest is headroom for topic and properties. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 64 * 1024;
    /** Long enough for a meter to ride out a broker restart or a network outage with its command subscription kept. */
    public static final Duration DEFAULT_MAX_SESSION_EXPIRY = Duration.ofHours(1);
    /** HiveMQ's and Mosquitto's own default; a meter's queue holds the few relay commands sent while it was away. */
    public static final long DEFAULT_MAX_CLIENT_QUEUE = 1000;

    public EmbeddedBrokerOptions {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (maxPacketSize < 1024) {
            throw new IllegalArgumentException("maxPacketSize must be at least 1024 bytes, got " + maxPacketSize);
        }
        if (maxSessionExpiry.isNegative() || maxSessionExpiry.toSeconds() >= ClientPolicy.UNLIMITED_SESSION_EXPIRY) {
            throw new IllegalArgumentException("maxSessionExpiry must be between 0 and 136 years, got " + maxSessionExpiry);
        }
        if (maxClientQueue < 1 || maxQueuedMessages < 1) {
            throw new IllegalArgumentException("queue limits must be at least 1, got " + maxClientQueue + " and " + maxQueuedMessages);
        }
        Objects.requireNonNull(security, "security");
    }

    public static EmbeddedBrokerOptions of(int port, Path dataDir) {
        return new EmbeddedBrokerOptions(DEFAULT_BIND_ADDRESS, port, dataDir, DEFAULT_MAX_QUEUED_MESSAGES, DEFAULT_MAX_PACKET_SIZE,
                DEFAULT_MAX_SESSION_EXPIRY, DEFAULT_MAX_CLIENT_QUEUE, BrokerSecurity.refuseAll());
    }

    public EmbeddedBrokerOptions withBindAddress(BindAddress address) {
        return new EmbeddedBrokerOptions(address, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, maxClientQueue,
                security);
    }

    public EmbeddedBrokerOptions withPort(int port) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, maxClientQueue,
                security);
    }

    public EmbeddedBrokerOptions withMaxPacketSize(int bytes) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, bytes, maxSessionExpiry, maxClientQueue,
                security);
    }

    public EmbeddedBrokerOptions withMaxSessionExpiry(Duration expiry) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, expiry, maxClientQueue,
                security);
    }

    public EmbeddedBrokerOptions withMaxClientQueue(long messages) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, messages,
                security);
    }

    public EmbeddedBrokerOptions withSecurity(BrokerSecurity security) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, maxClientQueue,
                security);
    }
}
