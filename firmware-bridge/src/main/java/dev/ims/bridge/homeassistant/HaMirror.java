package dev.ims.bridge.homeassistant;

import dev.ims.model.retry.Backoff;
import dev.ims.model.reading.Reading;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * The mirror of one meter's readings on a household's broker for Home Assistant, over an Eclipse Paho MQTTv5
 * connection of its own.
 *
 * <p>Never in the way of the utility connection: {@link #offer(Reading)} only puts the reading in a small bounded
 * queue (full: the oldest is dropped and counted, the newest state wins) and returns; one thread of its own publishes
 * from it while the home broker is connected, waiting at most {@link HaMirrorSettings#publishTimeout()} for each
 * publication. The first connection is tried at {@link HaMirrorSettings#reconnect()}'s pace until it succeeds; a
 * connection lost later is restored by Paho's automatic reconnect. On every (re)connection the retained availability
 * ({@code online}, with {@code offline} as the connection's last will) and the discovery config of every value
 * announced so far go out again before any state; a value a reading carries for the first time is announced before
 * that state. A broker that is down, slow or refuses the credentials is logged once when the outage starts and once
 * when it ends, never per attempt or message.
 *
 * <p>Thread-safe; {@link #offer(Reading)} may be called from any thread.
 */
public final class HaMirror implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HaMirror.class);
    private static final int QOS = 1;

    private final HaMirrorSettings settings;
    private final HaDiscovery discovery;
    private final MqttAsyncClient client;
    private final MqttConnectionOptions connection;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Reading> queue = new ArrayDeque<>();
    /** Values whose config has gone out on the current connection's broker; guarded by {@link #lock}. */
    private final Set<HaValue> announced = EnumSet.noneOf(HaValue.class);
    /** Availability and configs are due: a (re)connection happened; guarded by {@link #lock}. */
    private boolean announceDue;
    private volatile boolean connected;
    private volatile boolean closed;

    private final AtomicBoolean outage = new AtomicBoolean();
    private final AtomicLong mirrored = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicInteger attempt = new AtomicInteger();
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ha-connect"));
    private final Thread sender;

    private HaMirror(HaMirrorSettings settings, HaDiscovery discovery) throws MqttException {
        this.settings = settings;
        this.discovery = discovery;
        this.client = new MqttAsyncClient(settings.endpoint().url(), "ims-bridge-" + discovery.meterId(), new MemoryPersistence());
        this.connection = new MqttConnectionOptions();
        connection.setCleanStart(true);
        connection.setSessionExpiryInterval(0L);
        connection.setConnectionTimeout((int) Math.max(1, settings.publishTimeout().toSeconds()));
        connection.setKeepAliveInterval(30);
        connection.setAutomaticReconnect(true);
        connection.setAutomaticReconnectDelay((int) Math.max(1, settings.reconnect().initial().toSeconds()),
                (int) Math.max(1, settings.reconnect().max().toSeconds()));
        if (settings.username() != null) {
            connection.setUserName(settings.username());
        }
        if (settings.password() != null) {
            connection.setPassword(settings.password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        HaMessage will = discovery.availability(false);
        MqttMessage willMessage = new MqttMessage(will.bytes(), QOS, true, new MqttProperties());
        connection.setWill(will.topic(), willMessage);
        client.setCallback(new Callback());
        this.sender = daemon(this::sendLoop, "ha-mirror");
    }

    /**
     * Starts mirroring: the first connection attempt goes out now, in the background; this returns at once.
     *
     * @throws IllegalStateException when Paho cannot even create its client (a malformed URL)
     */
    public static HaMirror start(HaMirrorSettings settings, HaDiscovery discovery) {
        HaMirror m;
        try {
            m = new HaMirror(settings, discovery);
        } catch (MqttException e) {
            throw new IllegalStateException("Home Assistant broker " + settings.endpoint().url() + ": " + e.getMessage(), e);
        }
        m.sender.start();
        m.connector.execute(m::connect);
        return m;
    }

    /** Queues {@code r} for the home broker; never blocks. A full queue drops its oldest state (counted in {@link #dropped()}). */
    public void offer(Reading r) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (queue.size() >= settings.queueCapacity()) {
                queue.removeFirst();
                dropped.incrementAndGet();
            }
            queue.addLast(r);
            lock.notifyAll();
        }
    }

    /** States the home broker has acknowledged. */
    public long mirrored() {
        return mirrored.get();
    }

    /** States dropped because the queue was full (the home broker down or slow). */
    public long dropped() {
        return dropped.get();
    }

    public boolean connected() {
        return connected;
    }

    public HaDiscovery discovery() {
        return discovery;
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            client.connect(connection, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    attempt.set(0);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    connectFailed(e);
                }
            });
        } catch (MqttException e) {
            connectFailed(e);
        }
    }

    /** Only the first connection is retried here; once connected, Paho's automatic reconnect takes over. */
    private void connectFailed(Throwable e) {
        outageStarts(describe(e));
        if (!closed) {
            long delay = settings.reconnect().next(attempt.getAndIncrement()).toMillis();
            try {
                connector.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed meanwhile
            }
        }
    }

    private void outageStarts(String why) {
        if (!closed && outage.compareAndSet(false, true)) {
            LOG.warn("Home Assistant broker {} not available ({}); readings are not mirrored until it is (the utility connection is not affected)",
                    settings.endpoint().url(), why);
        }
    }

    private void sendLoop() {
        while (!closed) {
            try {
                sendOnce();
            } catch (InterruptedException e) {
                return;
            } catch (MqttException | RuntimeException e) {
                // The connection broke or the broker is slow: Paho reconnects (and says so through the callback);
                // this thread waits a little rather than spin on a dead connection.
                outageStarts(describe(e));
                synchronized (lock) {
                    try {
                        lock.wait(Math.min(1_000, settings.publishTimeout().toMillis()));
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    private void sendOnce() throws InterruptedException, MqttException {
        Reading head;
        boolean announce;
        Set<HaValue> toAnnounce;
        synchronized (lock) {
            while (!closed && !(connected && (announceDue || !queue.isEmpty()))) {
                lock.wait();
            }
            if (closed) {
                return;
            }
            announce = announceDue;
            head = announce ? null : queue.peekFirst();
            toAnnounce = announce ? EnumSet.copyOf(announcedOrNone()) : EnumSet.noneOf(HaValue.class);
            if (head != null) {
                Set<HaValue> fresh = HaValue.presentIn(head);
                fresh.removeAll(announced);
                toAnnounce.addAll(fresh);
            }
        }
        if (announce) {
            publish(List.of(discovery.availability(true)));
            publish(discovery.configs(toAnnounce));
            synchronized (lock) {
                announceDue = false;
            }
            return;
        }
        publish(discovery.configs(toAnnounce));
        Set<HaValue> now;
        synchronized (lock) {
            announced.addAll(toAnnounce);
            now = EnumSet.copyOf(announcedOrNone());
        }
        publish(List.of(discovery.state(head, now)));
        mirrored.incrementAndGet();
        if (outage.compareAndSet(true, false)) {
            // A broker that was slow (publications timed out) without the connection ever dropping.
            LOG.info("Home Assistant broker {} takes states again ({} state(s) dropped so far)", settings.endpoint().url(), dropped.get());
        }
        synchronized (lock) {
            if (queue.peekFirst() == head) {
                queue.removeFirst();
            }
        }
    }

    /** {@link #announced}, or an empty set EnumSet.copyOf accepts; call with {@link #lock} held. */
    private Set<HaValue> announcedOrNone() {
        return announced.isEmpty() ? EnumSet.noneOf(HaValue.class) : announced;
    }

    private void publish(List<HaMessage> messages) throws MqttException {
        for (HaMessage m : messages) {
            IMqttToken t = client.publish(m.topic(), m.bytes(), QOS, m.retained());
            t.waitForCompletion(settings.publishTimeout().toMillis());
        }
    }

    private final class Callback implements MqttCallback {

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            connected = true;
            synchronized (lock) {
                announceDue = true;
                lock.notifyAll();
            }
            if (outage.compareAndSet(true, false)) {
                LOG.info("Home Assistant broker {} available again; mirroring resumes ({} state(s) dropped so far)", serverURI, dropped.get());
            } else {
                LOG.info("Home Assistant mirror connected to {}: discovery under {}, state on {}", serverURI,
                        discovery.configTopic(HaValue.ENERGY_IMPORT).split("/")[0], discovery.stateTopic());
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            connected = false;
            outageStarts(response.getException() != null ? describe(response.getException())
                    : "disconnected, reason " + response.getReturnCode());
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.debug("Home Assistant broker error: {}", describe(e));
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            // Nothing is subscribed: the mirror takes no commands from the home broker.
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof MqttException m) {
            String text = m.getMessage();
            Throwable cause = m.getCause();
            return (text == null ? "error" : text) + " (reason " + m.getReasonCode() + ")"
                    + (cause != null ? ": " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()) : "");
        }
        return e.toString();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Says {@code offline} (retained) when connected, then disconnects; the last will says it when the bridge dies instead. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            lock.notifyAll();
        }
        connector.shutdownNow();
        sender.interrupt();
        try {
            sender.join(settings.publishTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (client.isConnected()) {
                HaMessage off = discovery.availability(false);
                client.publish(off.topic(), off.bytes(), QOS, true).waitForCompletion(2_000);
                client.disconnect(1_000).waitForCompletion(2_000);
            }
        } catch (MqttException e) {
            LOG.debug("Home Assistant broker not told goodbye: {}", describe(e));
        }
        try {
            client.disconnectForcibly(0, 1_000, false);
        } catch (MqttException e) {
            // already disconnected
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("Home Assistant client not closed cleanly: {}", describe(e));
        }
    }
}
