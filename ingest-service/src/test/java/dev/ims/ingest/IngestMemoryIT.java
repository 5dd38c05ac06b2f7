package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RejectReason;
import dev.ims.store.testing.StoredReadings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The ingest remembers at most {@code maxTrackedMeters} meters' last readings; an evicted meter's is read
 * back from the store, so the checks hold for every meter whatever the number of meters. Its own ingest on
 * IngestIT's broker and store, with a database of its own, subscribed alone (not in the share group) so it gets
 * every reading of its meters. The topic prefix is the broker's (its rights are for one prefix): IngestIT's ingest
 * stores these meters' readings too, in its own database, and a second embedded broker in this JVM would disturb
 * the first one.
 */
class IngestMemoryIT {

    private static final ReadingCodec CODEC = new ReadingCodec();

    @Test
    void meterEvictedFromMemory_isStillCheckedAgainstItsStoredLastReading() throws Exception {
        IngestIT.startStack();
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", "UTC", "MONGO_DATABASE", "evict"), Map.of())
                .withMqttUrl(IngestIT.broker.url()).withMongoUri(IngestIT.store.connectionString())
                .withMqttCredential(IngestIT.ids.ingest("evict-it"));
        MongoDatabase db = IngestIT.mongo.getDatabase("evict");
        try (IngestService ingest = new IngestService(IngestSettings.of(ims, "evict-it").alone()
                .with(IngestLimits.DEFAULTS.withMaxTrackedMeters(2)))) {
            ingest.start().toCompletableFuture().get();
            Instant t0 = Instant.now().minus(Duration.ofHours(1));
            String run = Long.toString(System.nanoTime() % 1_000_000, 36);
            List<String> meters = List.of("ev-a-" + run, "ev-b-" + run, "ev-c-" + run, "ev-d-" + run);
            for (String m : meters) {
                publish(m, Reading.of(m, 0, t0, 100.0, null, null, null, null, null));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meters) == meters.size());
            // ev-a and ev-b have been evicted by now (two meters are kept); their forged readings are still caught.
            for (String m : meters) {
                publish(m, Reading.of(m, 1, t0.plusSeconds(60), 5_000.0, null, null, null, null, null));
                publish(m, Reading.of(m, 2, t0.plusSeconds(120), 100.1, null, null, null, null, null));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> count(db, REJECTED, meters) == meters.size()
                    && StoredReadings.count(db, meters) == 2L * meters.size());
            List<Document> rejected = Flux.from(db.getCollection(REJECTED).find(Filters.in(METER_ID, meters))).collectList().block();
            assertThat(rejected).extracting(d -> d.getString(REASON)).containsOnly(RejectReason.IMPLAUSIBLE_CONSUMPTION.name());
            assertThat(rejected).extracting(d -> d.getString(METER_ID)).containsExactlyInAnyOrderElementsOf(meters);
        }
    }

    private static void publish(String meter, Reading r) {
        IngestIT.meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(CODEC.encode(r)).send();
    }

    private static long count(MongoDatabase db, String collection, List<String> meters) {
        return Mono.from(db.getCollection(collection).countDocuments(Filters.in(METER_ID, meters))).block();
    }
}
