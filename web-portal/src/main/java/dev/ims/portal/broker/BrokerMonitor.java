package dev.ims.portal.broker;

import dev.ims.model.config.ConfigException;
import dev.ims.model.log.LogSafe;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.Credential;
import dev.ims.model.security.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the broker's {@code $SYS/#} topics under the monitoring identity with Eclipse Paho MQTTv5 and keeps the
 * last value of each figure ({@link SysFigure}); {@link #figures()} reads them at any time without waiting.
 *
 * <p>Connection: clean start, no session kept, QoS 0 (a figure missed is replaced by the next, every
 * {@code sys_interval}). The first connection is tried in the background, again after {@link #FIRST_RETRY} doubling up
 * to {@link #MAX_RETRY} with jitter, until it succeeds; afterwards Paho's automatic reconnect takes over (1 s to
 * {@link #MAX_RETRY}), and each (re)connection subscribes again. Nothing here ever blocks a caller: a broker that is
 * away only leaves the figures as they were ({@link #connected()} false, {@link BrokerFigures#updatedAt()} old).
 *
 * <p>Logs one line when the monitor connects, one when the broker goes away and one when it is back, never one per
 * message. A payload that is not a number is counted ({@link #malformed()}) and the first one logged. Thread-safe.
 */
public final class BrokerMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerMonitor.class);

    /** The monitoring identity's name (and client ID) unless {@code MQTT_MONITOR_USERNAME} names another. */
    public static final String MONITOR_IDENTITY = "ims-monitor";
    public static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    public static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private final String url;
    private final Credential credential;
    private final Clock clock;
    private final MqttAsyncClient client;
    private final MqttConnectionOptions options = new MqttConnectionOptions();
    private final Map<SysFigure, Double> values = new ConcurrentHashMap<>();
    private final Rate received = new Rate();
    private final Rate sent = new Rate();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicBoolean outage = new AtomicBoolean();
    private final AtomicBoolean everConnected = new AtomicBoolean();
    private final AtomicInteger attempt = new AtomicInteger();
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "broker-monitor-connect");
        t.setDaemon(true);
        return t;
    });
    private volatile String version;
    private volatile Instant updatedAt;
    private volatile boolean connected;
    private volatile boolean closed;

    /**
     * @param url the broker, {@code tcp://host:port} or {@code ssl://host:port}
     * @param caFile for {@code ssl://}: the CA certificates (PEM) to trust, or null for the JDK's trust store
     * @throws ConfigException when the URL is malformed or the CA file unusable
     */
    public BrokerMonitor(String url, Credential credential, Path caFile, Clock clock) {
        this.url = url;
        this.credential = credential;
        this.clock = clock;
        try {
            this.client = new MqttAsyncClient(url, credential.username(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new ConfigException("broker monitor: cannot use " + url + ": " + e.getMessage());
        }
        options.setCleanStart(true);
        options.setSessionExpiryInterval(0L);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay((int) FIRST_RETRY.toSeconds(), (int) MAX_RETRY.toSeconds());
        options.setUserName(credential.username());
        options.setPassword(credential.password().getBytes(StandardCharsets.UTF_8));
        if (url.startsWith("ssl://")) {
            options.setSocketFactory(sslContext(caFile).getSocketFactory());
        }
        client.setCallback(new Callback());
    }

    /** Starts connecting in the background and returns at once. */
    public BrokerMonitor start() {
        connector.execute(this::connect);
        return this;
    }

    /** Whether the monitor is connected and subscribed to the broker's figures now. */
    public boolean connected() {
        return connected;
    }

    /** The last value of every figure; never waits. */
    public BrokerFigures figures() {
        Map<SysFigure, Double> copy = new EnumMap<>(SysFigure.class);
        copy.putAll(values);
        Instant now = clock.instant();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return BrokerFigures.of(updatedAt, copy, received.perSecond(nanos), sent.perSecond(nanos), version);
    }

    /** {@code $SYS} payloads that were not the number their topic carries, since the start. */
    public long malformed() {
        return malformed.get();
    }

    /** {@code $SYS} messages received since the start. */
    public long messages() {
        return messages.get();
    }

    public String identity() {
        return credential.username();
    }

    /** Takes one {@code $SYS} message (Paho's callback thread; tests call it directly): unknown topics are ignored. */
    void accept(String topic, byte[] payload, Instant at) {
        messages.incrementAndGet();
        String text = new String(payload, StandardCharsets.UTF_8);
        if (SysFigure.VERSION_TOPIC.equals(topic)) {
            version = text.length() > 100 ? text.substring(0, 100) : text;
            updatedAt = at;
            return;
        }
        SysFigure.of(topic).ifPresent(f -> {
            double v;
            try {
                v = f.parse(text);
            } catch (IllegalArgumentException e) {
                if (malformed.getAndIncrement() == 0) {
                    LOG.warn("Broker monitor: ignored a malformed figure ({}); further ones are only counted", LogSafe.of(e.getMessage()));
                }
                return;
            }
            values.put(f, v);
            updatedAt = at;
            long nanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
            if (f == SysFigure.MESSAGES_RECEIVED) {
                received.update(v, nanos);
            } else if (f == SysFigure.MESSAGES_SENT) {
                sent.update(v, nanos);
            }
        });
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            client.connect(options, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    attempt.set(0);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    connectFailed(e);
                }
            });
        } catch (MqttException | RuntimeException e) {
            connectFailed(e);
        }
    }

    /** Only the first connection is retried here; once connected, Paho's automatic reconnect takes over. */
    private void connectFailed(Throwable e) {
        outageStarts(describe(e));
        if (closed) {
            return;
        }
        long cap = MAX_RETRY.toMillis();
        long base = Math.min(cap, FIRST_RETRY.toMillis() << Math.min(attempt.getAndIncrement(), 10));
        long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        try {
            connector.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    private void outageStarts(String why) {
        if (!closed && outage.compareAndSet(false, true)) {
            LOG.warn("Broker monitor: broker {} not available ({}); the broker's figures stay as last read until it is", url,
                    LogSafe.of(why));
        }
    }

    private void subscribe() {
        try {
            client.subscribe(BrokerRights.SYS_FILTER, 0, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                        LOG.warn("Broker monitor: {} may not read {} (SUBACK reason {}): give it the monitoring role", credential.username(),
                                BrokerRights.SYS_FILTER, codes[0]);
                        return;
                    }
                    connected = true;
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    LOG.warn("Broker monitor: subscribing to {} failed: {}", BrokerRights.SYS_FILTER, LogSafe.of(describe(e)));
                }
            });
        } catch (MqttException e) {
            LOG.warn("Broker monitor: subscribing to {} failed: {}", BrokerRights.SYS_FILTER, LogSafe.of(describe(e)));
        }
    }

    private final class Callback implements MqttCallback {

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            subscribe();
            if (outage.compareAndSet(true, false) && everConnected.get()) {
                LOG.info("Broker monitor: broker {} available again", serverURI);
            } else if (everConnected.compareAndSet(false, true)) {
                outage.set(false);
                LOG.info("Broker monitor connected to {} as {}: reading {}", serverURI, credential.username(), BrokerRights.SYS_FILTER);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            connected = false;
            outageStarts(response.getException() != null ? describe(response.getException()) : "disconnected, reason " + response.getReturnCode());
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.debug("Broker monitor: {}", describe(e));
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            accept(topic, message.getPayload(), clock.instant());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    private static SSLContext sslContext(Path caFile) {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caFile != null) {
                List<X509Certificate> cas = Pem.readCertificates(caFile, "MQTT_CA_FILE");
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    trust.setCertificateEntry("ca-" + i, cas.get(i));
                }
                tmf.init(trust);
            } else {
                tmf.init((KeyStore) null);
            }
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new ConfigException("broker monitor: cannot use MQTT_CA_FILE " + caFile + ": " + e.getMessage());
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof MqttException m) {
            Throwable cause = m.getCause();
            return (m.getMessage() == null ? "error" : m.getMessage()) + " (reason " + m.getReasonCode() + ")"
                    + (cause != null ? ": " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()) : "");
        }
        return String.valueOf(e);
    }

    @Override
    public void close() {
        closed = true;
        connected = false;
        connector.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect(1_000).waitForCompletion(2_000);
            }
        } catch (MqttException e) {
            LOG.debug("Broker monitor not disconnected cleanly: {}", describe(e));
        }
        try {
            client.disconnectForcibly(0, 1_000, false);
        } catch (MqttException e) {
            // already disconnected
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("Broker monitor client not closed cleanly: {}", describe(e));
        }
    }

    /**
     * Brokers publish a total only when it changed (Mosquitto) or every interval (the embedded HiveMQ, 10 s): a total
     * not updated for this long has not changed, so the rate is 0.
     */
    static final Duration RATE_STALE = Duration.ofSeconds(25);

    /**
     * A per-second rate between the last two totals; unknown after a total went down (the broker restarted), 0 when
     * no new total came for {@link #RATE_STALE}.
     */
    private static final class Rate {
        private double lastTotal = -1;
        private long lastNanos;
        private Double perSecond;

        synchronized void update(double total, long nanos) {
            if (lastTotal >= 0 && total >= lastTotal && nanos > lastNanos) {
                if (total > lastTotal || nanos - lastNanos >= 1_000_000_000L) {
                    perSecond = BrokerFigures.round((total - lastTotal) / ((nanos - lastNanos) / 1e9));
                } else {
                    return; // the same total again within a second (a retained copy on resubscribing): keep the last rate
                }
            } else if (lastTotal >= 0 && total < lastTotal) {
                perSecond = null;
            }
            lastTotal = total;
            lastNanos = nanos;
        }

        synchronized Double perSecond(long nowNanos) {
            if (perSecond != null && nowNanos - lastNanos > RATE_STALE.toNanos()) {
                return 0.0;
            }
            return perSecond;
        }
    }
}
