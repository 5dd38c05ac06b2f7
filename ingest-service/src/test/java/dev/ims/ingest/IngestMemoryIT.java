package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.topic.Topics;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RejectReason;
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
 * IngestIT's store, under its own topic prefix and database, with a broker of its own (the broker's rights are
 * for one topic prefix).
 */
class IngestMemoryIT {

    private static final ReadingCodec CODEC = new ReadingCodec();

    @TempDir
    Path dir;

    @Test
    void meterEvictedFromMemory_isStillCheckedAgainstItsStoredLastReading() throws Exception {
        IngestIT.startStack();
        BrokerIdentities ids = new BrokerIdentities(new Topics("evict"), ImsSettings.DEFAULT_INGEST_GROUP);
        ImsSettings base = ImsSettings.load(Map.of("TIME_ZONE", "UTC", "TOPIC_PREFIX", "evict", "MONGO_DATABASE", "evict"), Map.of());
        MongoDatabase db = IngestIT.mongo.getDatabase("evict");
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
                MeterClients clients = new MeterClients(broker.port(), ids::meter);
                IngestService ingest = new IngestService(IngestSettings.of(base.withMqttUrl(broker.url())
                        .withMongoUri(IngestIT.store.connectionString()).withMqttCredential(ids.ingest("evict-it")), "evict-it")
                        .with(IngestLimits.DEFAULTS.withMaxTrackedMeters(2)))) {
            this.meters = clients;
            ingest.start().toCompletableFuture().get();
            Instant t0 = Instant.now().minus(Duration.ofHours(1));
            List<String> meters = List.of("ev-a", "ev-b", "ev-c", "ev-d");
            for (String m : meters) {
                publish(m, Reading.of(m, 0, t0, 100.0, null, null, null, null, null));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> count(db, READINGS) == meters.size());
            // ev-a and ev-b have been evicted by now (two meters are kept); their forged readings are still caught.
            for (String m : meters) {
                publish(m, Reading.of(m, 1, t0.plusSeconds(60), 5_000.0, null, null, null, null, null));
                publish(m, Reading.of(m, 2, t0.plusSeconds(120), 100.1, null, null, null, null, null));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> count(db, REJECTED) == meters.size() && count(db, READINGS) == 2L * meters.size());
            List<Document> rejected = Flux.from(db.getCollection(REJECTED).find()).collectList().block();
            assertThat(rejected).extracting(d -> d.getString(REASON)).containsOnly(RejectReason.IMPLAUSIBLE_CONSUMPTION.name());
            assertThat(rejected).extracting(d -> d.getString(METER_ID)).containsExactlyInAnyOrderElementsOf(meters);
        }
    }

    private MeterClients meters;

    private void publish(String meter, Reading r) {
        meters.of(meter).publishWith().topic("evict/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(CODEC.encode(r)).send();
    }

    private static long count(MongoDatabase db, String collection) {
        return Mono.from(db.getCollection(collection).countDocuments(Filters.empty())).block();
    }
}
