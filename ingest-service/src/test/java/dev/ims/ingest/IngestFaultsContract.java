package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.ChildJvm;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.security.Credential;
import dev.ims.model.storage.StoreSchema;
import dev.ims.store.testing.StoredReadings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected into real parts while readings flow, on any broker: the broker restarted mid-stream,
 * two ingest instances sharing the load. After each, every published (PUBACKed) reading is stored exactly
 * once. Subclasses start the broker ({@link #broker}) and may add faults of their own.
 */
abstract class IngestFaultsContract {

    private static final ReadingCodec CODEC = new ReadingCodec();

    /**
     * The broker under test: its URL, a way to restart it on the same port with its data (identities included) kept,
     * and the identities it admits: every client needs its own.
     */
    interface Broker {
        String url();

        int port();

        void restart() throws Exception;

        /** A new identity for ingest instance {@code name} (its client ID). */
        Credential ingest(String name);

        /** A new identity for meter {@code meterId} (its client ID). */
        Credential meter(String meterId);
    }

    /** The ingest identities the running test created, by client ID. */
    private static final Map<String, Credential> INGESTS = new java.util.concurrent.ConcurrentHashMap<>();

    @TempDir
    static Path dir;
    static Broker broker;
    static EmbeddedStore store;
    static int storePort;
    static MongoClient mongo;
    static MongoDatabase db;

    /** Starts the on-disk store; the subclass starts {@link #broker} before. */
    static void startStore() {
        storePort = FreePorts.resolve(0);
        store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(storePort, dir.resolve("store")));
        mongo = MongoClients.create(store.connectionString());
        db = mongo.getDatabase("ims");
    }

    @AfterAll
    static void stopStore() {
        if (mongo != null) {
            mongo.close();
            store.close();
        }
    }

    /** Whether this broker spreads a shared subscription over its members message by message. */
    abstract boolean spreadsSharedSubscriptions();

    @Test
    void brokerRestartedMidStream_publishersAndIngestReconnect_andEveryReadingIsStoredOnce() throws Exception {
        List<String> meters = meters("restart", 2);
        try (IngestService ingest = ingest("restart-it"); Publisher p = new Publisher()) {
            // A steady stream (about 1 ms between publishes), so the restart falls in the middle of it: readings
            // published after the broker is back must reach the resumed ingest session too (Mosquitto 2.0.11 restores
            // a shared subscription that no longer receives new messages unless the session subscribes again).
            CompletableFuture<Void> all = p.publishAsync(meters, 2000, 1_000_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> stored(meters) >= 800);
            assertThat(all).as("publishing still under way at the restart").isNotDone();
            broker.restart();
            all.get(120, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(120)).until(() -> stored(meters) == 4000);
            assertEveryReadingOnce(meters, 2000);
        }
    }

    @Test
    void twoIngestInstancesOnTheSharedSubscription_splitTheLoad_andStoreEveryReadingOnce() throws Exception {
        List<String> meters = meters("shared", 4);
        // A steady stream, as meters publish.
        try (IngestService a = ingest("shared-a"); IngestService b = ingest("shared-b"); Publisher p = new Publisher()) {
            long storedA = a.counters().stored();
            long storedB = b.counters().stored();
            p.publishAsync(meters, 1000, 2_000_000).get(120, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(120)).until(() -> stored(meters) == 4000);
            assertEveryReadingOnce(meters, 1000);
            assertThat(a.counters().stored() - storedA + b.counters().stored() - storedB).isEqualTo(4000);
            if (spreadsSharedSubscriptions()) {
                assertThat(a.counters().stored() - storedA).as("instance a's share; a: " + a.counters() + ", b: " + b.counters()).isPositive();
                assertThat(b.counters().stored() - storedB).as("instance b's share; a: " + a.counters() + ", b: " + b.counters()).isPositive();
            }
        }
    }

    /**
     * An ingest in the stack's share group (the only one the brokers grant), under a new identity of its own, whose
     * persistent session {@link #endIngestSessions} ends after the test.
     */
    static IngestService ingest(String clientId) throws Exception {
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", "UTC"), Map.of())
                .withMqttUrl(broker.url()).withMongoUri(store.connectionString()).withMqttCredential(ingestIdentity(clientId));
        IngestService s = new IngestService(IngestSettings.of(ims, clientId));
        s.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return s;
    }

    /** A new identity for ingest instance {@code clientId}, whose session is ended after the test. */
    static Credential ingestIdentity(String clientId) {
        Credential c = broker.ingest(clientId);
        INGESTS.put(clientId, c);
        return c;
    }

    /**
     * Ends the persistent sessions of the test's ingests (a clean start with no expiry, under their identities): on
     * Mosquitto an offline member of a shared subscription keeps receiving its share (it waits for the member to come
     * back), and every test shares the one group the brokers grant, so no stopped instance may stay a member.
     */
    @AfterEach
    void endIngestSessions() {
        for (Credential c : INGESTS.values()) {
            Mqtt5BlockingClient client = MeterClients.builder("127.0.0.1", broker.port(), c).buildBlocking();
            try {
                client.connectWith().cleanStart(true).sessionExpiryInterval(0).send();
                client.disconnect();
            } catch (RuntimeException e) {
                // The broker is down or the test's ingest is still connected: nothing to end here.
            }
        }
        INGESTS.clear();
    }

    static List<String> meters(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("f-" + prefix + "-" + i + "-" + System.nanoTime() % 100000);
        }
        return out;
    }

    static long stored(List<String> meters) {
        try {
            return StoredReadings.count(db, meters);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static void assertEveryReadingOnce(List<String> meters, int perMeter) {
        for (String m : meters) {
            List<Document> docs = StoredReadings.of(db, m);
            Set<Long> seqs = new HashSet<>();
            for (Document d : docs) {
                seqs.add(((Number) d.get(StoreSchema.SEQ)).longValue());
            }
            assertThat(docs).as(m).hasSize(perMeter);
            assertThat(seqs).as(m).hasSize(perMeter).allMatch(s -> s >= 0 && s < perMeter);
        }
    }

    /**
     * Publishes QoS 1 with a bounded window in flight, for each meter over its own connection under its own identity
     * (opened on first use); each reconnects by itself with its session kept.
     */
    static final class Publisher implements AutoCloseable {
        private final Map<String, Mqtt5AsyncClient> clients = new java.util.concurrent.ConcurrentHashMap<>();

        private Mqtt5AsyncClient client(String meter) {
            return clients.computeIfAbsent(meter, m -> {
                Mqtt5AsyncClient c = MeterClients.builder("127.0.0.1", broker.port(), broker.meter(m))
                        .automaticReconnect().initialDelay(200, TimeUnit.MILLISECONDS).maxDelay(2, TimeUnit.SECONDS).applyAutomaticReconnect()
                        .buildAsync();
                c.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().join();
                return c;
            });
        }

        /** {@code perMeter} readings per meter, seq 0..perMeter-1, interleaved; completes when all are PUBACKed. */
        CompletableFuture<Void> publishAsync(List<String> meters, int perMeter) {
            return publishAsync(meters, perMeter, 0);
        }

        /** As above, pausing {@code pauseNanos} after each publish: a steady stream instead of a burst. */
        CompletableFuture<Void> publishAsync(List<String> meters, int perMeter, long pauseNanos) {
            return CompletableFuture.runAsync(() -> {
                Semaphore window = new Semaphore(200);
                AtomicLong failed = new AtomicLong();
                List<CompletableFuture<?>> acks = new ArrayList<>();
                Instant t0 = Instant.now().minusSeconds(perMeter * 10L);
                meters.forEach(this::client); // connected before the stream starts
                for (int seq = 0; seq < perMeter; seq++) {
                    for (String m : meters) {
                        window.acquireUninterruptibly();
                        if (pauseNanos > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
                        }
                        byte[] payload = CODEC.encode(Reading.of(m, seq, t0.plusSeconds(seq * 10L), 100 + seq * 0.01, 500.0, 230.0, 2.2, null, null));
                        acks.add(deliver(m, payload)
                                .whenComplete((r, e) -> {
                                    if (e != null) {
                                        failed.incrementAndGet();
                                    }
                                    window.release();
                                }));
                    }
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                assertThat(failed.get()).as("publishes without PUBACK").isZero();
            });
        }

        /**
         * Publishes until the broker has a subscriber for it, as a meter's outbox does: a PUBACK {@code 0x10 No matching
         * subscribers} means nobody got the reading (Mosquitto 2.0.11 answers so after a restart, until the ingest has
         * subscribed again).
         */
        private CompletableFuture<Void> deliver(String meter, byte[] payload) {
            return client(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                    .thenCompose(result -> {
                        if (!dev.ims.client.mqtt.NoSubscriberException.unheard(result)) {
                            return CompletableFuture.<Void>completedFuture(null);
                        }
                        unheard.incrementAndGet();
                        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                                .thenCompose(x -> deliver(meter, payload));
                    });
        }

        /** How many publishes the broker acknowledged with "no matching subscribers" (each published again). */
        final AtomicLong unheard = new AtomicLong();

        @Override
        public void close() {
            clients.values().forEach(Mqtt5AsyncClient::disconnect);
        }
    }
}
