package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.meter.MeterIds;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.Identity;
import dev.ims.model.topic.TopicAddress;
import dev.ims.model.topic.Topics;
import dev.ims.model.storage.StoreSchema;
import dev.ims.store.testing.StoredReadings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * More than 10 000 hostile payloads over real MQTT, interleaved with valid readings: every hostile one ends
 * in {@code rejected} with the reason the contract gives it, every valid one is stored once, the counters
 * add up, and the ingest keeps working with bounded memory. Each meter ID speaks under its own identity (the
 * broker lets a meter publish only to its own topics): a hostile case is a meter of its own, connected for its one
 * message. A case whose topic names no valid meter cannot be any meter's: the broker refuses it (PUBACK
 * {@code NOT_AUTHORIZED}) and the ingest never sees it.
 */
class HostileInputIT {

    @TempDir
    Path dir;

    @Test
    void hostileCorpus_isRejectedCaseByCase_whileValidReadingsAreStoredOnce() throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        List<HostileCorpus.Case> hostile = new HostileCorpus(run).handWritten(20).fuzzed(10_000, 42).cases();
        assertThat(hostile.size()).isGreaterThanOrEqualTo(10_000);
        Set<RejectReason> covered = EnumSet.noneOf(RejectReason.class);
        hostile.forEach(c -> covered.add(c.expected()));
        assertThat(covered).contains(RejectReason.PAYLOAD_TOO_LARGE, RejectReason.MALFORMED_JSON, RejectReason.NOT_AN_OBJECT,
                RejectReason.MISSING_FIELD, RejectReason.WRONG_TYPE, RejectReason.OUT_OF_RANGE, RejectReason.UNKNOWN_CODE,
                RejectReason.INCONSISTENT_FAULT, RejectReason.INVALID_METER_ID, RejectReason.METER_ID_MISMATCH,
                RejectReason.INVALID_TIMESTAMP, RejectReason.TIMESTAMP_IN_FUTURE, RejectReason.TIMESTAMP_TOO_OLD, RejectReason.INVALID_TOPIC);

        BrokerIdentities ids = new BrokerIdentities();
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
                EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
                MongoClient mongo = MongoClients.create(store.connectionString());
                // Every rejection stored (not sampled), so each case's reason can be checked.
                IngestService ingest = new IngestService(IngestSettings.of(ImsSettings.load(Map.of("TIME_ZONE", "UTC"), Map.of())
                        .withMqttUrl(broker.url()).withMongoUri(store.connectionString()).withMqttCredential(ids.ingest("hostile-it")),
                        "hostile-it")
                        .with(IngestLimits.DEFAULTS.withRejectedSampling(1_000_000, 1_000_000)))) {
            ingest.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
            MongoDatabase db = mongo.getDatabase("ims");
            Meters publisher = new Meters(broker.port(), ids);
            ReadingCodec codec = new ReadingCodec();
            Semaphore window = new Semaphore(500);
            List<CompletableFuture<?>> acks = new ArrayList<>();
            Map<String, Integer> validPerMeter = new HashMap<>();
            int backwards = 0;
            Instant t0 = Instant.now().minusSeconds(86_400);
            // Status messages and acknowledgements are attacked too, and so are the meters' histories:
            // well-formed readings that do not fit the meter's last one.
            List<HostileCorpus.Case> others = otherKinds(run, t0, codec);
            int other = 0;
            Set<String> refusedTopics = java.util.concurrent.ConcurrentHashMap.newKeySet();
            List<HostileCorpus.Case> refusable = new ArrayList<>();
            for (int i = 0; i < hostile.size(); i++) {
                HostileCorpus.Case c = hostile.get(i);
                if (Meters.meterOf(c.topic()) == null) {
                    // No meter's identity may publish there: sent by another meter, which the broker refuses.
                    refusable.add(c);
                    acks.add(publisher.sendForeign("x-" + run + "-" + i, window, c.topic(), c.payload(), refusedTopics));
                } else {
                    acks.add(publisher.sendOnce(window, c.topic(), c.payload()));
                }
                if (i % 5 == 0) {
                    String meter = "v-" + run + "-" + (i / 5) % 4;
                    int seq = validPerMeter.merge(meter, 1, Integer::sum) - 1;
                    acks.add(publisher.send(window, "meters/" + meter + "/reading",
                            codec.encode(Reading.of(meter, seq, t0.plusSeconds(seq), 100 + seq * 0.01, 400.0, 230.0, 1.7, null, null))));
                }
                if (i % 10 == 0 && other < others.size()) {
                    HostileCorpus.Case c2 = others.get(other++);
                    if (c2.expected() == null) {
                        validPerMeter.merge(c2.name(), 1, Integer::sum); // a meter's plausible first reading
                    }
                    acks.add(publisher.send(window, c2.topic(), c2.payload()));
                }
                if (i % 500 == 0) {
                    // A register going backwards needs the meter's earlier reading: its own meter, in order.
                    String meter = "b-" + run + "-" + i;
                    acks.add(publisher.send(window, "meters/" + meter + "/reading",
                            codec.encode(Reading.of(meter, 0, t0, 50.0, null, null, null, null, null))));
                    validPerMeter.merge(meter, 1, Integer::sum);
                    acks.add(publisher.send(window, "meters/" + meter + "/reading",
                            codec.encode(Reading.of(meter, 1, t0.plusSeconds(60), 49.0, null, null, null, null, null))));
                    backwards++;
                }
            }
            while (other < others.size()) {
                HostileCorpus.Case c2 = others.get(other++);
                if (c2.expected() == null) {
                    validPerMeter.merge(c2.name(), 1, Integer::sum);
                }
                acks.add(publisher.send(window, c2.topic(), c2.payload()));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);
            assertThat(refusable).as("cases whose topic names no valid meter").isNotEmpty();
            assertThat(refusedTopics).as("refused by the broker").hasSize(refusable.size());
            int valid = validPerMeter.values().stream().mapToInt(Integer::intValue).sum();
            long otherRejected = others.stream().filter(c -> c.expected() != null).count();
            long expectedRejected = hostile.size() - refusable.size() + backwards + otherRejected;

            await().atMost(Duration.ofSeconds(180)).until(() -> ingest.counters().rejected() == expectedRejected
                    && ingest.counters().stored() == valid);
            assertThat(ingest.counters().received()).isEqualTo(expectedRejected + valid);
            assertThat(ingest.counters().duplicates()).isZero();

            Map<String, String> reasonByTopic = new HashMap<>();
            for (Document d : Flux.from(db.getCollection(StoreSchema.REJECTED).find()).toIterable()) {
                reasonByTopic.put(d.getString(StoreSchema.TOPIC), d.getString(StoreSchema.REASON));
            }
            assertThat(reasonByTopic).hasSize((int) expectedRejected);
            for (HostileCorpus.Case c : hostile) {
                String topic = c.topic().length() > 512 ? c.topic().substring(0, 512) : c.topic();
                if (refusable.contains(c)) {
                    assertThat(reasonByTopic).as("refused by the broker: " + c.name()).doesNotContainKey(topic);
                } else {
                    assertThat(reasonByTopic.get(topic)).as(c.name() + " on " + c.topic()).isEqualTo(c.expected().name());
                }
            }
            assertThat(reasonByTopic.entrySet().stream().filter(e -> e.getKey().contains("/b-" + run)).map(Map.Entry::getValue))
                    .hasSize(backwards).allMatch(RejectReason.REGISTER_BACKWARDS.name()::equals);
            for (HostileCorpus.Case c : others) {
                if (c.expected() != null) {
                    assertThat(reasonByTopic.get(c.topic())).as(c.name() + " on " + c.topic()).isEqualTo(c.expected().name());
                }
            }
            // No rejected status created a meter, and no implausible reading became a meter's latest.
            for (Document m : Flux.from(db.getCollection(StoreSchema.METERS).find()).toIterable()) {
                String id = m.getString(StoreSchema.ID);
                assertThat(id).doesNotStartWith("s-" + run).doesNotStartWith("s2-" + run).doesNotStartWith("s3-" + run)
                        .doesNotStartWith("s4-" + run).doesNotStartWith("a-" + run).doesNotStartWith("a2-" + run);
                if (id.startsWith("j-" + run) || id.startsWith("p-" + run)) {
                    assertThat(m.get(StoreSchema.LAST_SEQ, Number.class).longValue()).as(id).isZero();
                    assertThat(m.get(StoreSchema.LATEST, Document.class).getDouble(StoreSchema.ENERGY_KWH)).as(id).isEqualTo(10.0);
                }
            }
            for (Map.Entry<String, Integer> e : validPerMeter.entrySet()) {
                long stored = StoredReadings.count(db, e.getKey());
                assertThat(stored).as(e.getKey()).isEqualTo(e.getValue().longValue());
            }

            // Still working afterwards, with its memory bounded (a sanity bound, not a benchmark).
            String after = "after-" + run;
            publisher.send(window, "meters/" + after + "/reading",
                    codec.encode(Reading.of(after, 0, Instant.now(), 1.0, null, null, null, null, null))).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    StoredReadings.count(db, after) == 1);
            System.gc();
            long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            assertThat(used).isLessThan(512L << 20);
            publisher.close();
        }
    }

    /**
     * Status messages and acknowledgements with every kind of fault, and readings that do not fit their
     * meter's history (each after a plausible first reading of its own meter, whose case has no expected
     * reason and the meter ID as its name).
     */
    private static List<HostileCorpus.Case> otherKinds(String run, Instant t0, ReadingCodec codec) {
        List<HostileCorpus.Case> out = new ArrayList<>();
        String[] badTimes = {"+999999999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
                "-999999999-01-01T00:00:00Z"};
        for (int k = 0; k < 40; k++) {
            String ts = badTimes[k % badTimes.length];
            RejectReason tsReason = ts.startsWith("1970") || ts.startsWith("-") ? RejectReason.TIMESTAMP_TOO_OLD : RejectReason.TIMESTAMP_IN_FUTURE;
            String s = "s-" + run + "-" + k;
            out.add(new HostileCorpus.Case("status ts", "meters/" + s + "/status",
                    json("{\"meterId\":\"" + s + "\",\"state\":\"ONLINE\",\"ts\":\"" + ts + "\"}"), tsReason));
            String a = "a-" + run + "-" + k;
            out.add(new HostileCorpus.Case("ack ts", "meters/" + a + "/command/ack",
                    json("{\"commandId\":\"x\",\"ok\":true,\"relay\":\"OFF\",\"ts\":\"" + ts + "\"}"), tsReason));
            String s2 = "s2-" + run + "-" + k;
            out.add(new HostileCorpus.Case("status broken", "meters/" + s2 + "/status", json("{\"meterId\":\"" + s2 + "\",\"state\":"),
                    RejectReason.MALFORMED_JSON));
            String s3 = "s3-" + run + "-" + k;
            out.add(new HostileCorpus.Case("status state", "meters/" + s3 + "/status",
                    json("{\"meterId\":\"" + s3 + "\",\"state\":\"MAYBE\",\"ts\":\"" + t0 + "\"}"), RejectReason.UNKNOWN_CODE));
            String s4 = "s4-" + run + "-" + k;
            out.add(new HostileCorpus.Case("status other meter", "meters/" + s4 + "/status",
                    json("{\"meterId\":\"victim-" + k + "\",\"state\":\"OFFLINE\",\"ts\":\"" + t0 + "\"}"), RejectReason.METER_ID_MISMATCH));
            String a2 = "a2-" + run + "-" + k;
            out.add(new HostileCorpus.Case("ack no id", "meters/" + a2 + "/command/ack",
                    json("{\"ok\":true,\"relay\":\"OFF\",\"ts\":\"" + t0 + "\"}"), RejectReason.MISSING_FIELD));
            String j = "j-" + run + "-" + k;
            out.add(new HostileCorpus.Case(j, "meters/" + j + "/reading",
                    codec.encode(Reading.of(j, 0, t0, 10.0, null, null, null, null, null)), null));
            out.add(new HostileCorpus.Case("seq jump", "meters/" + j + "/reading",
                    codec.encode(Reading.of(j, 1_000_000_000L + k, t0.plusSeconds(60), 10.1, null, null, null, null, null)), RejectReason.SEQ_JUMP));
            String p = "p-" + run + "-" + k;
            out.add(new HostileCorpus.Case(p, "meters/" + p + "/reading",
                    codec.encode(Reading.of(p, 0, t0, 10.0, null, null, null, null, null)), null));
            out.add(new HostileCorpus.Case("inflated register", "meters/" + p + "/reading",
                    codec.encode(Reading.of(p, 1, t0.plusSeconds(900), 1e6 + k, null, null, null, null, null)), RejectReason.IMPLAUSIBLE_CONSUMPTION));
        }
        return out;
    }

    private static byte[] json(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The meters' side: a kept connection per meter ID that sends several messages ({@link #send}), a connection for
     * one message ({@link #sendOnce}), each under the meter's own identity.
     */
    private static final class Meters implements AutoCloseable {
        private static final Topics TOPICS = Topics.defaults();
        private final int port;
        private final BrokerIdentities ids;
        private final Map<String, Mqtt5AsyncClient> kept = new java.util.concurrent.ConcurrentHashMap<>();

        Meters(int port, BrokerIdentities ids) {
            this.port = port;
            this.ids = ids;
        }

        /** The meter whose identity may publish to {@code topic}, or null when none may. */
        static String meterOf(String topic) {
            return TOPICS.parse(topic).map(TopicAddress::meterId).filter(MeterIds::isValid)
                    .filter(m -> new BrokerRights(TOPICS, ImsSettings.DEFAULT_INGEST_GROUP).mayPublish(Identity.meter(m), topic))
                    .orElse(null);
        }

        private CompletableFuture<Mqtt5AsyncClient> connect(String meter) {
            Mqtt5AsyncClient c = MeterClients.builder("127.0.0.1", port, ids.meter(meter)).buildAsync();
            return c.connect().thenApply(ack -> c);
        }

        /** Over the meter's kept connection, opened on first use. */
        CompletableFuture<?> send(Semaphore window, String topic, byte[] payload) {
            String meter = Objects.requireNonNull(meterOf(topic), topic);
            window.acquireUninterruptibly();
            // Connected before publishing, so one meter's messages go out in the order they are sent.
            return kept.computeIfAbsent(meter, m -> connect(m).join())
                    .publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                    .thenAccept(Meters::requireAccepted)
                    .whenComplete((r, e) -> window.release());
        }

        /** Over a connection of its own, closed once the message is acknowledged. */
        CompletableFuture<?> sendOnce(Semaphore window, String topic, byte[] payload) {
            String meter = Objects.requireNonNull(meterOf(topic), topic);
            window.acquireUninterruptibly();
            return connect(meter)
                    .thenCompose(c -> c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                            .thenAccept(Meters::requireAccepted)
                            .thenCompose(v -> c.disconnect()))
                    .whenComplete((r, e) -> window.release());
        }

        /**
         * By {@code meter} (a meter of its own, connected for this) to a topic not its own: completes once refused,
         * adding the topic to {@code refused}. The embedded broker (HiveMQ CE 2025.5) answers with DISCONNECT
         * {@code NOT_AUTHORIZED} rather than a PUBACK with that code; either counts as refused.
         */
        CompletableFuture<?> sendForeign(String meter, Semaphore window, String topic, byte[] payload, Set<String> refused) {
            window.acquireUninterruptibly();
            return connect(meter)
                    .thenCompose(c -> c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                            .handle((r, e) -> {
                                Throwable error = e != null ? e : r.getError().orElse(null);
                                if (error != null) {
                                    refused.add(topic);
                                } else {
                                    c.disconnect();
                                }
                                return null;
                            }))
                    .whenComplete((r, e) -> window.release());
        }

        private static void requireAccepted(Mqtt5PublishResult r) {
            r.getError().ifPresent(e -> {
                throw new IllegalStateException("the broker refused a meter's publish to its own topic " + r.getPublish().getTopic(), e);
            });
        }

        @Override
        public void close() {
            kept.values().forEach(Mqtt5AsyncClient::disconnect);
        }
    }
}
