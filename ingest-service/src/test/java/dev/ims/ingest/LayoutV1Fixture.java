package dev.ims.ingest;

import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RelayState;
import dev.ims.model.storage.StoreSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import reactor.core.publisher.Mono;

/**
 * Makes the layout-v1 data set (issue 13's migration test): today's ingest on an on-disk embedded store, fed over the
 * embedded broker with two days (24-26 Oct 2026, Berlin: across the autumn clock change) of readings every 5 minutes of
 * four meters: a plain one, an exporting one, one with circuits, one with gaps, faults and an unknown wire field.
 * Run only on request: {@code -Dtest=LayoutV1Fixture -Dlayout.v1.out=DIR}.
 */
@EnabledIfSystemProperty(named = "layout.v1.out", matches = ".+")
class LayoutV1Fixture {

    private static final ReadingCodec CODEC = new ReadingCodec();

    @Test
    void make() throws Exception {
        Path out = Path.of(System.getProperty("layout.v1.out"));
        Path tmp = Files.createTempDirectory("layout-v1");
        BrokerIdentities ids = new BrokerIdentities();
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, tmp.resolve("broker")).withSecurity(ids.security()));
        EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, out));
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", "Europe/Berlin"), Map.of())
                .withMqttUrl(broker.url()).withMongoUri(store.connectionString()).withMqttCredential(ids.ingest("ingest-v1"));
        IngestService ingest = new IngestService(IngestSettings.of(ims, "ingest-v1"));
        ingest.start().toCompletableFuture().get();
        MeterClients meters = new MeterClients(broker.port(), ids::meter);
        Instant from = Instant.parse("2026-10-23T22:00:00Z"); // 24 Oct 00:00 in Berlin
        Instant to = Instant.parse("2026-10-25T23:00:00Z");   // 26 Oct 00:00 (25 Oct has 25 hours)
        long published = 0;
        double export = 200;
        int n = 0;
        for (Instant ts = from; ts.isBefore(to); ts = ts.plus(Duration.ofMinutes(5)), n++) {
            double kwh = 1000 + n * 0.05;
            publish(meters, "v1-plain", CODEC.encode(Reading.of("v1-plain", n, ts, kwh, 600.0, 230.0, 2.6, null, null)));
            boolean sunny = n / 12 % 24 >= 8 && n / 12 % 24 < 16;
            export += sunny ? 0.075 : 0;
            publish(meters, "v1-export", CODEC.encode(Reading.of("v1-export", n, ts, 500 + n * 0.01, 120.0, 231.0, null, null, null)
                    .withExport(export, sunny ? 900.0 : 0.0)));
            publish(meters, "v1-circuits", CODEC.encode(Reading.of("v1-circuits", n, ts, 80 + n * 0.04, 480.0, 229.5, 2.1, null,
                    RelayState.ON).withCircuits(List.of(
                            new CircuitReading("water-heater", n % 2 == 0 ? 2000.0 : 0.0, 10 + n * 0.02, n % 2 == 0 ? RelayState.ON : RelayState.OFF, null),
                            new CircuitReading("fridge", 80.0, 5 + n * 0.005, null, null)))));
            published += 3;
            if (n % 7 != 3) {
                String json = new String(CODEC.encode(Reading.of("v1-gaps", n, ts, 42 + n * 0.03, 360.0, 228.0, 1.6, null, null)),
                        StandardCharsets.UTF_8);
                if (n % 50 == 0) {
                    json = json.substring(0, json.length() - 1) + ",\"firmware\":\"1.2." + n + "\"}";
                }
                publish(meters, "v1-gaps", json.getBytes(StandardCharsets.UTF_8));
                published++;
            }
        }
        long expected = published;
        try (MongoClient mongo = MongoClients.create(store.connectionString())) {
            await().atMost(Duration.ofMinutes(3)).until(() ->
                    Mono.from(mongo.getDatabase("ims").getCollection(StoreSchema.READINGS).countDocuments()).block() == expected);
        }
        meters.close();
        ingest.stop().toCompletableFuture().join();
        store.close();
        broker.close();
        // The store appends every commit: rewritten with only the live pages it is a few hundred KB instead of 20 MB.
        org.h2.mvstore.MVStoreTool.compact(out.resolve(EmbeddedStoreOptions.FILE_NAME).toString(), Boolean.getBoolean("layout.v1.compress"));
    }

    private static void publish(MeterClients meters, String meter, byte[] payload) {
        meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
    }
}
