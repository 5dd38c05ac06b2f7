package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.storage.StoreSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Live readings never wait behind a backlog: the ingest takes {@code +/backlog} through a session (an in-flight window)
 * of its own and writes live items first. A burst of {@value #BACKLOG_METERS} × {@value #PER_METER} history readings is
 * published on {@code backlog} and acknowledged by the broker; while the ingest is still working through it, live
 * readings are published one by one, and each must be stored within {@link #LIVE_BOUND} (generous for a loaded 2-core
 * machine: with one shared window a live reading waits for the whole backlog ahead of it, ~10 s here). Every backlog
 * reading is stored exactly once. Subclasses give the broker, the store and an ingest with a backlog identity.
 */
abstract class IngestBacklogContract {

    static final int BACKLOG_METERS = 20;
    static final int PER_METER = 1000;
    static final int LIVE = 20;
    static final Duration LIVE_BOUND = Duration.ofSeconds(3);
    private static final ReadingCodec CODEC = new ReadingCodec();

    static IngestService ingest;
    static MeterClients meters;
    static MongoDatabase db;

    @Test
    void liveReadings_duringABacklogBurst_areStoredWithinTheBound_andEveryBacklogReadingOnce() throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        List<String> history = new ArrayList<>();
        for (int m = 0; m < BACKLOG_METERS; m++) {
            history.add("bl-" + run + "-h" + m);
        }
        Map<String, Long> storedAt = new ConcurrentHashMap<>();
        AtomicLong backlogStored = new AtomicLong();
        AtomicLong liveStoredTwice = new AtomicLong();
        ingest.onStored(batch -> {
            long now = System.nanoTime();
            for (Reading r : batch) {
                if (r.meterId().startsWith("bl-" + run + "-h")) {
                    backlogStored.incrementAndGet();
                } else if (r.meterId().startsWith("bl-" + run + "-l") && storedAt.putIfAbsent(r.meterId(), now) != null) {
                    liveStoredTwice.incrementAndGet();
                }
            }
        });
        long storedBefore = ingest.counters().stored();
        long duplicatesBefore = ingest.counters().duplicates();
        long rejectedBefore = ingest.counters().rejected();
        try {
            history.forEach(meters::of); // connected before the burst: the burst measures the ingest, not the logins
            Instant start = Instant.now().minus(Duration.ofDays(30));
            List<CompletableFuture<Mqtt5PublishResult>> acks = new ArrayList<>();
            for (int s = 0; s < PER_METER; s++) {
                for (String meter : history) {
                    Reading r = Reading.of(meter, s, start.plus(Duration.ofMinutes(15L * s)), 1000 + s * 0.1, 400.0, 230.0, 1.7, null, null);
                    acks.add(meters.of(meter).toAsync().publishWith().topic("meters/" + meter + "/backlog").qos(MqttQos.AT_LEAST_ONCE)
                            .payload(CODEC.encode(r)).send());
                }
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, java.util.concurrent.TimeUnit.SECONDS);

            Map<String, Long> publishedAt = new ConcurrentHashMap<>();
            int publishedDuringBacklog = 0;
            for (int i = 0; i < LIVE; i++) {
                String meter = "bl-" + run + "-l" + i;
                meters.of(meter);
                byte[] payload = CODEC.encode(Reading.of(meter, 0, Instant.now(), 50.0, 400.0, 230.0, 1.7, null, null));
                if (backlogStored.get() < (long) BACKLOG_METERS * PER_METER) {
                    publishedDuringBacklog++;
                }
                publishedAt.put(meter, System.nanoTime());
                meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
                Thread.sleep(100);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> storedAt.size() == LIVE);
            await().atMost(Duration.ofSeconds(120)).until(() -> ingest.counters().stored() - storedBefore == (long) BACKLOG_METERS * PER_METER + LIVE);

            // The live readings met the backlog: most were published while it was still being written.
            assertThat(publishedDuringBacklog).as("live readings published while the backlog was being written").isGreaterThanOrEqualTo(LIVE / 2);
            List<Duration> latencies = new ArrayList<>();
            publishedAt.forEach((meter, at) -> latencies.add(Duration.ofNanos(storedAt.get(meter) - at)));
            assertThat(latencies).as("time from publish to stored, per live reading").allSatisfy(d -> assertThat(d).isLessThan(LIVE_BOUND));
            assertThat(liveStoredTwice.get()).isZero();
            // Exactly once: nothing counted twice, nothing refused, and each meter's history complete.
            assertThat(backlogStored.get()).isEqualTo((long) BACKLOG_METERS * PER_METER);
            assertThat(ingest.counters().duplicates()).isEqualTo(duplicatesBefore);
            assertThat(ingest.counters().rejected()).isEqualTo(rejectedBefore);
            for (String meter : history) {
                Document m = Mono.from(db.getCollection(StoreSchema.METERS).find(Filters.eq(StoreSchema.ID, meter)).first()).block();
                assertThat(m.get(StoreSchema.LAST_SEQ, Number.class).longValue()).isEqualTo(PER_METER - 1);
            }
        } finally {
            ingest.onStored(null);
        }
    }
}
