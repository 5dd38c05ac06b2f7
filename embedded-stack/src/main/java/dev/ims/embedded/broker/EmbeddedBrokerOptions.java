package dev.ims.embedded.broker;

import dev.ims.model.config.BindAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
 * @param tls the TLS listener besides the plain one; empty: plain only ({@link #withTls})
 * @param sysInterval how often the broker's figures are published on Mosquitto's {@code $SYS/broker/...} topics
 *     (retained; Mosquitto's {@code sys_interval}, default {@link #DEFAULT_SYS_INTERVAL}), for the monitoring identity
 */
public record EmbeddedBrokerOptions(BindAddress bindAddress, int port, Path dataDir, long maxQueuedMessages, int maxPacketSize,
        Duration maxSessionExpiry, long maxClientQueue, BrokerSecurity security, Optional<TlsListener> tls,
        Duration sysInterval) {

    /**
     * A second listener with TLS, on the same bind address as the plain one.
     *
     * @param port its port (8883 by convention), 0 for any free port
     * @param settings where its CA and certificates are, generated or the operator's ({@link BrokerTls})
     */
    public record TlsListener(int port, BrokerTls.Settings settings) {
        public TlsListener {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("TLS port must be from 0 to 65535, got " + port);
            }
            Objects.requireNonNull(settings, "settings");
        }
    }

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
    /** Mosquitto's default {@code sys_interval}. */
    public static final Duration DEFAULT_SYS_INTERVAL = Duration.ofSeconds(10);

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
        Objects.requireNonNull(tls, "tls");
        if (sysInterval.isNegative() || sysInterval.isZero()) {
            throw new IllegalArgumentException("sysInterval must be positive, got " + sysInterval);
        }
    }

    public static EmbeddedBrokerOptions of(int port, Path dataDir) {
        return new EmbeddedBrokerOptions(DEFAULT_BIND_ADDRESS, port, dataDir, DEFAULT_MAX_QUEUED_MESSAGES, DEFAULT_MAX_PACKET_SIZE,
                DEFAULT_MAX_SESSION_EXPIRY, DEFAULT_MAX_CLIENT_QUEUE, BrokerSecurity.refuseAll(), Optional.empty(), DEFAULT_SYS_INTERVAL);
    }

    public EmbeddedBrokerOptions withBindAddress(BindAddress address) {
        return new EmbeddedBrokerOptions(address, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, maxClientQueue,
                security, tls, sysInterval);
    }

    public EmbeddedBrokerOptions withPort(int port) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, maxClientQueue,
                security, tls, sysInterval);
    }

    public EmbeddedBrokerOptions withMaxPacketSize(int bytes) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, bytes, maxSessionExpiry, maxClientQueue,
                security, tls, sysInterval);
    }

    public EmbeddedBrokerOptions withMaxSessionExpiry(Duration expiry) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, expiry, maxClientQueue,
                security, tls, sysInterval);
    }

    public EmbeddedBrokerOptions withMaxClientQueue(long messages) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, messages,
                security, tls, sysInterval);
    }

    public EmbeddedBrokerOptions withSecurity(BrokerSecurity security) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, maxClientQueue,
                security, tls, sysInterval);
    }

    /** These options with the broker's {@code $SYS} figures published every {@code interval}. */
    public EmbeddedBrokerOptions withSysInterval(Duration interval) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, maxClientQueue,
                security, tls, interval);
    }

    /**
     * These options with a TLS listener as well ({@code ssl://}): TLS 1.2 and 1.3, the broker's certificate, and client
     * certificates signed by the CA accepted as identities (optional: a client without one logs in with its password).
     */
    public EmbeddedBrokerOptions withTls(int tlsPort, BrokerTls.Settings settings) {
        return new EmbeddedBrokerOptions(bindAddress, port, dataDir, maxQueuedMessages, maxPacketSize, maxSessionExpiry, maxClientQueue,
                security, Optional.of(new TlsListener(tlsPort, settings)), sysInterval);
    }
}
