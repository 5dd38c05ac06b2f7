package dev.ims.bridge;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import com.pi4j.context.Context;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.ingest.IngestService;
import dev.ims.ingest.IngestSettings;
import dev.ims.model.config.ImsSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * A meter that stops giving data behind a connected bridge, against the real pipeline: the bridge's status message says
 * SILENT with the time of the last data and its counters, the ingest keeps that report on the meter (without taking the
 * connection's date from it, so the last will still wins), /metrics shows it, data coming back clears it, and a silence
 * past the exit time makes the bridge ask to exit with code 4.
 */
class BridgeSourceHealthIT {

    @TempDir
    Path dir;

    /** A meter behind the bridge that the test switches on and off: a register that grows while it gives data. */
    static final class SwitchableMeter implements EnergySource {
        volatile boolean giving = true;
        volatile Instant last = Instant.now();
        final AtomicLong reads = new AtomicLong();
        private double kwh = 100;

        @Override
        public synchronized Measurement measure(Instant now, double lastKwh, Instant lastTs) {
            if (!giving) {
                return null;
            }
            kwh += 0.001;
            reads.incrementAndGet();
            last = now;
            return new Measurement(Math.round(kwh * 10_000) / 10_000.0, 500.0, 230.0, 2.2);
        }

        @Override
        public Instant lastData() {
            return last;
        }

        @Override
        public Map<String, Long> counters() {
            return Map.of("test.reads", reads.get());
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return "the test meter";
        }
    }

    @Test
    void aSilentMeterIsReportedStoredAndShown_dataBackClearsIt_andALongSilenceAsksTheBridgeToExit() throws Exception {
        BrokerIdentities ids = new BrokerIdentities();
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        ImsSettings settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl(broker.url())
                .withMongoUri(store.connectionString());
        IngestService ingest = new IngestService(IngestSettings.of(settings.withMqttCredential(ids.ingest("health-it")), "health-it"));
        ingest.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        MongoClient mongo = MongoClients.create(store.connectionString());
        MongoDatabase db = mongo.getDatabase("ims");
        Context pi4j = BridgeMain.mockContext();
        MeterState made = MeterState.newMeter(100.0, null);
        MeterStateFile.save(dir.resolve("meter.json"), made);
        ids.meter(made.meterId(), made.brokerSecret());
        SwitchableMeter source = new SwitchableMeter();
        int metricsPort = FreePorts.resolve(0);
        Bridge.Monitoring monitoring = new Bridge.Monitoring(Duration.ofSeconds(2), Duration.ofSeconds(8), Duration.ofMillis(700), "127.0.0.1", metricsPort);
        HttpClient http = HttpClient.newHttpClient();
        try (Bridge bridge = Bridge.start(pi4j, settings, new Bridge.Options(dir.resolve("meter.json"), 27, false, -1, Duration.ofMillis(300), 100.0,
                1_000).withMonitoring(monitoring), source, Clock.systemUTC())) {
            String meter = bridge.meter().meterId();
            // Data arrives: the periodic report says OK, with the bridge's and the source's counters.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Document s = source(db, meter);
                return s != null && "OK".equals(s.getString(STATE)) && s.get(COUNTERS, Document.class).getLong("test.reads") > 0
                        && s.get(COUNTERS, Document.class).getLong("bridge.readings") > 0;
            });
            assertThat(metrics(http, metricsPort)).contains("ims_bridge_source_silent 0.0").contains("ims_bridge_source_events_total{name=\"test.reads\"}");

            // The meter stops: SILENT, with the time of its last data; the bridge keeps running.
            source.giving = false;
            await().atMost(Duration.ofSeconds(20)).until(() -> "SILENT".equals(state(db, meter)));
            Document silent = source(db, meter);
            assertThat(silent.getDate(LAST_DATA).toInstant()).isEqualTo(source.last.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            assertThat(metrics(http, metricsPort)).contains("ims_bridge_source_silent 1.0");
            // The report is dated on its own: the meter's connection keeps its birth date, older than the report, so the
            // connection's last will (dated 1 ms after its birth) is still the newer status when the connection is lost.
            Document m = meterDoc(db, meter);
            assertThat(m.get(CONNECTION_LAST, Document.class).getString(STATE)).isEqualTo("ONLINE");
            assertThat(m.get(CONNECTION_LAST, Document.class).getDate(TS)).isBefore(silent.getDate(AT));
            assertThat(bridge.exitRequested()).isNotDone();

            // Back before the exit time: OK again, at once (a change is reported without waiting for the periodic report).
            source.giving = true;
            await().atMost(Duration.ofSeconds(10)).until(() -> "OK".equals(state(db, meter)));
            assertThat(bridge.exitRequested()).isNotDone();

            // Silent past the exit time: the bridge asks to exit with 4, so that systemd restarts it.
            source.giving = false;
            assertThat(bridge.exitRequested().get(30, TimeUnit.SECONDS)).isEqualTo(Bridge.EXIT_SOURCE_SILENT);
            assertThat(state(db, meter)).isEqualTo("SILENT");
        } finally {
            pi4j.shutdown();
            ingest.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            mongo.close();
            store.close();
            broker.close();
        }
    }

    private static String metrics(HttpClient http, int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static Document meterDoc(MongoDatabase db, String meter) {
        return Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block();
    }

    private static Document source(MongoDatabase db, String meter) {
        Document m = meterDoc(db, meter);
        return m == null ? null : m.get(SOURCE, Document.class);
    }

    private static String state(MongoDatabase db, String meter) {
        Document s = source(db, meter);
        return s == null ? null : s.getString(STATE);
    }
}
