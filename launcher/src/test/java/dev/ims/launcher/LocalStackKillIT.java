package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.ChildJvm;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.storage.StoreSchema;
import dev.ims.store.testing.StoredReadings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-command local stack (embedded broker, embedded store and ingest in one JVM) killed with SIGKILL
 * right after a publisher got its PUBACKs: after a restart, every acknowledged reading is stored, once.
 * What makes it hold: the broker persists a message before its PUBACK and keeps it in the ingest's
 * persistent session until the ingest acknowledges it, which it does only after the store has committed
 * the write (the embedded store commits every write before answering).
 */
class LocalStackKillIT {

    @TempDir
    static Path dir;

    @Test
    void stackKilledRightAfterPubacks_restarted_hasEveryAcknowledgedReadingOnce() throws Exception {
        int mqttPort = FreePorts.resolve(0);
        int mongoPort = FreePorts.resolve(0);
        Map<String, String> env = Map.of("IMS_DATA_DIR", dir.resolve("data").toString(), "MQTT_PORT", Integer.toString(mqttPort), "MQTT_TLS_PORT", "0",
                "MONGO_PORT", Integer.toString(mongoPort), "HTTP_PORT", Integer.toString(FreePorts.resolve(0)), "TIME_ZONE", "UTC",
                "IMS_ADMIN_PASSWORD", "kill-test-password",
                // Usage and meter documents held far longer than the stream lasts: the kill finds them unwritten while the
                // readings are acknowledged, and only the journal can bring them back.
                "INGEST_ROLLUP_DELAY_MS", "60000");
        List<String> args = List.of("--fleet", "0");
        List<String> meters = List.of("kill-a", "kill-b", "kill-c");
        int perMeter = 1500;
        // A fourth meter floods the ingest meanwhile: busy until the kill, it holds the usage of what it stored for later
        // (INGEST_ROLLUP_DELAY_MS, above), so the kill comes between acknowledgements and their day writes.
        String flood = "kill-flood";
        int floodReadings = 12_000; // with the others below DeferredRollups.MAX_PENDING: no flush before the kill
        Path logs = java.nio.file.Files.createDirectories(Path.of("target", "kill-it"));
        try (ChildJvm first = ChildJvm.start("dev.ims.launcher.ImsMain", args, env, logs.resolve("stack-1.log"), "Portal:", Duration.ofSeconds(120))) {
            // Each meter provisioned with the CLI (./ims meters provision) against the running stack's store, and connected
            // with the credential it printed.
            Map<String, Mqtt5AsyncClient> publishers = new HashMap<>();
            for (String m : concat(meters, flood)) {
                MetersMain cli = new MetersMain();
                cli.environment = env;
                java.io.StringWriter printed = new java.io.StringWriter();
                assertThat(MetersMain.run(cli, new java.io.PrintWriter(printed, true), "provision", "--meter-id", m)).as(printed.toString())
                        .isZero();
                java.util.regex.Matcher secret = java.util.regex.Pattern.compile("secret:\\s+(\\S+)").matcher(printed.toString());
                assertThat(secret.find()).as(printed.toString()).isTrue();
                Mqtt5AsyncClient c = Mqtt5Client.builder().identifier(m).serverHost("127.0.0.1").serverPort(mqttPort)
                        .simpleAuth().username(m).password(secret.group(1).getBytes(java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth()
                        .buildAsync();
                c.connect().get(10, TimeUnit.SECONDS);
                publishers.put(m, c);
            }
            List<CompletableFuture<?>> acks = new ArrayList<>();
            ReadingCodec codec = new ReadingCodec();
            Instant floodStart = Instant.now().minusSeconds(floodReadings * 10L);
            for (int seq = 0; seq < floodReadings; seq++) {
                publishers.get(flood).publishWith().topic("meters/" + flood + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(codec.encode(Reading.of(flood, seq, floodStart.plusSeconds(seq * 10L), 10 + seq * 0.01, null, null, null, null,
                                null)))
                        .send();
            }
            Instant t0 = Instant.now().minusSeconds(perMeter * 10L);
            for (int seq = 0; seq < perMeter; seq++) {
                for (String m : meters) {
                    acks.add(publishers.get(m).publishWith().topic("meters/" + m + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                            .payload(codec.encode(Reading.of(m, seq, t0.plusSeconds(seq * 10L), 10 + seq * 0.01, null, null, null, null, null)))
                            .send());
                }
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            try (MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + mongoPort)) {
                var journal = mongo.getDatabase("ims").getCollection("ingest_journal");
                await().atMost(Duration.ofSeconds(30)).until(() -> reactor.core.publisher.Mono.from(journal.countDocuments()).block() > 0);
            }
            first.kill9();
        }
        try (ChildJvm second = ChildJvm.start("dev.ims.launcher.ImsMain", args, env, logs.resolve("stack-2.log"), "Portal:", Duration.ofSeconds(120));
                MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + mongoPort)) {
            var db = mongo.getDatabase("ims");
            try {
                // Durability, not speed, is asserted: usually ~20 s, once measured 70 s on a loaded 2-core CI machine.
                await().atMost(Duration.ofSeconds(180)).until(() -> StoredReadings.count(db, meters) == meters.size() * (long) perMeter);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                StringBuilder missing = new StringBuilder();
                for (String m : meters) {
                    Set<Long> seqs = new HashSet<>();
                    long[] docs = {0};
                    StoredReadings.of(db, m).forEach(d -> {
                        docs[0]++;
                        seqs.add(((Number) d.get(StoreSchema.SEQ)).longValue());
                    });
                    List<Long> gone = new ArrayList<>();
                    for (long q = 0; q < perMeter; q++) {
                        if (!seqs.contains(q)) {
                            gone.add(q);
                        }
                    }
                    // Also what was stored: a count that never matched with nothing missing means a seq stored twice (in two buckets).
                    missing.append(m).append(" missing ").append(gone.size()).append(": ").append(gone).append("; readings ").append(docs[0])
                            .append(" for ").append(seqs.size()).append(" seqs (expected ").append(perMeter).append(")\n");
                }
                throw new AssertionError("acknowledged readings lost (logs in " + logs.toAbsolutePath() + "):\n" + missing);
            }
            for (String m : meters) {
                Set<Long> seqs = new HashSet<>();
                List<Document> docs = StoredReadings.of(db, m);
                docs.forEach(d -> seqs.add(((Number) d.get(StoreSchema.SEQ)).longValue()));
                assertThat(docs).as(m).hasSize(perMeter);
                assertThat(seqs).as(m).hasSize(perMeter);
            }
            // Every acknowledged reading counted in usage once: its seq flagged in its day document, the last register the day's
            // maximum, the meter's lastSeq the last seq (a reading acknowledged before the kill and not rolled up then was
            // re-rolled from the journal at the restart; a redelivered one by its duplicate's writes).
            for (String m : meters) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    List<Document> days = reactor.core.publisher.Flux.from(db.getCollection(StoreSchema.DAILY)
                            .find(com.mongodb.client.model.Filters.eq(StoreSchema.METER_ID, m))).collectList().block();
                    long flagged = 0;
                    double max = 0;
                    for (Document d : days) {
                        flagged += dev.ims.store.DaySummary.from(d).seqBits().values().stream().mapToLong(Long::bitCount).sum();
                        max = Math.max(max, ((Number) d.get(StoreSchema.MAX_KWH)).doubleValue());
                    }
                    assertThat(flagged).as(m + " seqs counted in usage").isEqualTo(perMeter);
                    assertThat(max).as(m + " register").isCloseTo(10 + (perMeter - 1) * 0.01, org.assertj.core.data.Offset.offset(1e-9));
                    Document meter = reactor.core.publisher.Mono.from(db.getCollection(StoreSchema.METERS)
                            .find(com.mongodb.client.model.Filters.eq(StoreSchema.ID, m)).first()).block();
                    assertThat(((Number) meter.get(StoreSchema.LAST_SEQ)).longValue()).as(m + " lastSeq").isEqualTo(perMeter - 1);
                });
            }
            assertThat(Files.readString(logs.resolve("stack-2.log"))).as("the restart re-rolled the journal the kill left")
                    .contains("re-rolled from the journal");
            // The data folder and the store's file are the running account's only.
            if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data")))).isEqualTo("rwx------");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/store/ims.mv")))).isEqualTo("rw-------");
                // The services' broker identities, created with random secrets at the first start.
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/identities")))).isEqualTo("rwx------");
                for (String identity : List.of("ims-portal.json", "ims-ingest-local.json", "ims-ingest-local-backlog.json")) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/identities").resolve(identity))))
                            .as(identity).isEqualTo("rw-------");
                }
            }
        }
    }

    private static List<String> concat(List<String> list, String more) {
        List<String> out = new ArrayList<>(list);
        out.add(more);
        return out;
    }
}
