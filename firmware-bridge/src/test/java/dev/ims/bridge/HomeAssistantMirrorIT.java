package dev.ims.bridge;

import dev.ims.model.retry.Backoff;
import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import dev.ims.bridge.homeassistant.HaMirror;
import dev.ims.bridge.homeassistant.HaMirrorSettings;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.ingest.IngestService;
import dev.ims.ingest.IngestSettings;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * The bridge's Home Assistant mirror on a real Mosquitto as the household's broker, beside the real utility pipeline
 * (embedded broker, ingest, store): the discovery documents and states arrive as Home Assistant reads them; the
 * utility path keeps storing readings while the home broker is down, and discovery and state come back with it; a
 * home broker that refuses the credentials is logged once and changes nothing else.
 */
class HomeAssistantMirrorIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HA_USER = "homeassistant";
    private static final String HA_PASSWORD = "home-secret";

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private EmbeddedStore store;
    private IngestService ingest;
    private MongoClient mongo;
    private MongoDatabase db;
    private Context pi4j;
    private ImsSettings settings;
    private BrokerIdentities ids;
    private final ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger mirrorLog = (Logger) LoggerFactory.getLogger(HaMirror.class);

    /** One message as a subscriber that comes later sees it. */
    record Seen(String topic, String payload, boolean retained) {

        JsonNode json() throws Exception {
            return JSON.readTree(payload);
        }
    }

    @BeforeEach
    void utilityPipeline() throws Exception {
        ids = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl(broker.url()).withMongoUri(store.connectionString());
        ingest = new IngestService(IngestSettings.of(settings.withMqttCredential(ids.ingest("ha-it")), "ha-it"));
        ingest.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        mongo = MongoClients.create(store.connectionString());
        db = mongo.getDatabase("ims");
        pi4j = BridgeMain.mockContext();
        logs.start();
        mirrorLog.addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        mirrorLog.detachAppender(logs);
        load.shutdownNow();
        pi4j.shutdown();
        ingest.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        mongo.close();
        store.close();
        broker.close();
    }

    /** A bridge on mock GPIO with a pulse every 100 ms (36 kW at 1000 imp/kWh), a reading every 300 ms, mirrored as {@code ha} says. */
    private Bridge bridge(HaMirrorSettings ha) throws Exception {
        int metricsPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            metricsPort = free.getLocalPort();
        }
        Bridge.Monitoring d = Bridge.Monitoring.defaults(Duration.ofMillis(300));
        Bridge.Monitoring monitoring = new Bridge.Monitoring(d.silentAfter(), d.exitAfterSilence(), d.reportEvery(), "127.0.0.1", metricsPort);
        MeterState made = MeterState.newMeter(500.0, null);
        MeterStateFile.save(dir.resolve("meter.json"), made);
        ids.meter(made.meterId(), made.brokerSecret());
        Bridge bridge = Bridge.start(pi4j, settings, new Bridge.Options(dir.resolve("meter.json"), 27, false, -1, Duration.ofMillis(300), 500.0, 1_000)
                .withMonitoring(monitoring).withHomeAssistant(ha), new S0Source(new S0Counter(pi4j, 17, false, 5_000), 1_000), Clock.systemUTC());
        MockDigitalInput s0 = pi4j.io("s0-17");
        load.scheduleAtFixedRate(() -> {
            s0.mockState(DigitalState.HIGH);
            s0.mockState(DigitalState.LOW);
        }, 0, 100, TimeUnit.MILLISECONDS);
        return bridge;
    }

    private static HaMirrorSettings haSettings(HomeMosquitto home, String password) {
        return HaMirrorSettings.of(MqttEndpoint.parse(home.url()), HA_USER, password)
                .withReconnect(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1)));
    }

    /** Subscribes as Home Assistant would, from now on: retained messages first (flagged retained), then live ones. */
    private static Mqtt5AsyncClient subscriber(HomeMosquitto home, ConcurrentLinkedQueue<Seen> seen) throws Exception {
        Mqtt5AsyncClient c = Mqtt5Client.builder().identifier("ha-" + System.nanoTime()).serverHost("127.0.0.1").serverPort(home.port())
                .simpleAuth().username(HA_USER).password(HA_PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
        c.connect().get(10, TimeUnit.SECONDS);
        for (String filter : List.of("homeassistant/#", "ims/#")) {
            c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> seen.add(new Seen(p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8), p.isRetain())))
                    .send().get(10, TimeUnit.SECONDS);
        }
        return c;
    }

    private static Seen last(ConcurrentLinkedQueue<Seen> seen, String topic) {
        Seen out = null;
        for (Seen s : seen) {
            if (s.topic().equals(topic)) {
                out = s;
            }
        }
        return out;
    }

    private static Set<String> configTopics(ConcurrentLinkedQueue<Seen> seen) {
        return seen.stream().map(Seen::topic).filter(t -> t.endsWith("/config")).collect(Collectors.toSet());
    }

    private static String scrape(int port) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of the series {@code name} (no labels) in a Prometheus text scrape. */
    private static long counter(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).map(l -> (long) Double.parseDouble(l.substring(name.length() + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in " + scrape));
    }

    private List<Document> readings(String meter) {
        return dev.ims.store.testing.StoredReadings.of(db, meter); // the meter's readings out of its hour buckets, in seq order
    }

    @Test
    void discoveryAndStates_reachHomeAssistant_andTheUtilityPathRidesOutAHomeBrokerOutage() throws Exception {
        try (HomeMosquitto home = HomeMosquitto.start(dir.resolve("home"), HA_USER, HA_PASSWORD); Bridge bridge = bridge(haSettings(home, HA_PASSWORD))) {
            String meter = bridge.meter().meterId();
            String state = "ims/" + meter + "/state";
            String availability = "ims/" + meter + "/availability";
            Set<String> expectedConfigs = Set.of("homeassistant/sensor/" + meter + "/energy_import/config",
                    "homeassistant/sensor/" + meter + "/power/config", "homeassistant/binary_sensor/" + meter + "/supply/config");
            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.homeAssistant().mirrored() >= 3 && readings(meter).size() >= 3);

            // Home Assistant starting now: every config, the availability and the last state are retained.
            ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
            Mqtt5AsyncClient ha = subscriber(home, seen);
            await().atMost(Duration.ofSeconds(10)).until(() -> configTopics(seen).containsAll(expectedConfigs) && last(seen, state) != null
                    && last(seen, availability) != null);
            assertThat(configTopics(seen)).as("S0 counts import only: no export entities, no voltage or current")
                    .noneMatch(t -> t.contains("export") || t.contains("voltage") || t.contains("current"));
            for (Seen s : seen) {
                assertThat(s.retained()).as(s.topic()).isTrue();
            }
            assertThat(last(seen, availability).payload()).isEqualTo("online");
            JsonNode energy = last(seen, "homeassistant/sensor/" + meter + "/energy_import/config").json();
            assertThat(energy.get("device_class").asText()).isEqualTo("energy");
            assertThat(energy.get("state_class").asText()).isEqualTo("total_increasing");
            assertThat(energy.get("unit_of_measurement").asText()).isEqualTo("kWh");
            assertThat(energy.get("state_topic").asText()).isEqualTo(state);
            assertThat(energy.get("availability_topic").asText()).isEqualTo(availability);
            assertThat(energy.get("device").get("identifiers").get(0).asText()).isEqualTo(meter);
            assertThat(energy.get("device").get("model").asText()).contains("S0");
            JsonNode power = last(seen, "homeassistant/sensor/" + meter + "/power/config").json();
            assertThat(power.get("unit_of_measurement").asText()).isEqualTo("W");
            assertThat(power.get("device")).isEqualTo(energy.get("device"));
            assertThat(power.get("unique_id").asText()).isNotEqualTo(energy.get("unique_id").asText());
            JsonNode supply = last(seen, "homeassistant/binary_sensor/" + meter + "/supply/config").json();
            assertThat(supply.get("device_class").asText()).isEqualTo("power");
            assertThat(supply.has("command_topic")).isFalse();

            // The state is the reading the utility stored under the same seq.
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().filter(s -> s.topic().equals(state)).count() >= 3);
            JsonNode mirrored = last(seen, state).json();
            await().atMost(Duration.ofSeconds(10)).until(() -> readings(meter).stream().anyMatch(d -> d.getLong(SEQ) == mirrored.get("seq").asLong()));
            Document stored = readings(meter).stream().filter(d -> d.getLong(SEQ) == mirrored.get("seq").asLong()).findFirst().orElseThrow();
            assertThat(mirrored.get("energy_kwh").asDouble()).isEqualTo(stored.getDouble(ENERGY_KWH));
            assertThat(mirrored.get("power_w").asDouble()).isEqualTo(stored.getDouble(POWER_W));
            assertThat(mirrored.get("relay").asText()).isEqualTo("ON");
            long seqBeforeOutage = mirrored.get("seq").asLong();
            ha.disconnect().get(10, TimeUnit.SECONDS);

            // The home broker goes away: the utility keeps receiving readings; states beyond the queue are dropped.
            home.stop();
            await().atMost(Duration.ofSeconds(15)).until(() -> !bridge.homeAssistant().connected());
            int storedAtOutage = readings(meter).size();
            await().atMost(Duration.ofSeconds(30)).until(() -> readings(meter).size() >= storedAtOutage + 15 && bridge.homeAssistant().dropped() > 0);

            // It comes back empty (no persistence): discovery and availability are sent again, and newer states.
            home.start();
            ConcurrentLinkedQueue<Seen> after = new ConcurrentLinkedQueue<>();
            Mqtt5AsyncClient ha2 = subscriber(home, after);
            await().atMost(Duration.ofSeconds(60)).until(() -> configTopics(after).containsAll(expectedConfigs) && last(after, state) != null
                    && last(after, state).json().get("seq").asLong() > seqBeforeOutage + 15);
            assertThat(last(after, availability).payload()).isEqualTo("online");
            int storedAfter = readings(meter).size();
            await().atMost(Duration.ofSeconds(10)).until(() -> readings(meter).size() > storedAfter);
            assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN).count()).as("one warning for the whole outage: %s", logs.list)
                    .isEqualTo(1);
            assertThat(logs.list.stream().filter(e -> e.getFormattedMessage().contains("available again")).count()).isEqualTo(1);
            String metrics = scrape(bridge.metricsPort());
            assertThat(counter(metrics, "ims_bridge_ha_dropped_total")).isEqualTo(bridge.homeAssistant().dropped()).isPositive();
            assertThat(counter(metrics, "ims_bridge_ha_mirrored_total")).isPositive();
            assertThat(counter(metrics, "ims_bridge_ha_connected")).isEqualTo(1);

            // A bridge that stops says so: offline, retained.
            bridge.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> "offline".equals(last(after, availability).payload()));
            ha2.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHomeBrokerRefusingTheCredentials_isLoggedOnce_andTheUtilityPathIsUnaffected() throws Exception {
        try (HomeMosquitto home = HomeMosquitto.start(dir.resolve("home"), HA_USER, HA_PASSWORD); Bridge bridge = bridge(haSettings(home, "wrong"))) {
            String meter = bridge.meter().meterId();
            await().atMost(Duration.ofSeconds(30)).until(() -> readings(meter).size() >= 10);
            // Tried again and again (the backoff tops out at 1 s here), refused every time.
            await().atMost(Duration.ofSeconds(20)).until(() -> home.log().split("not authorised", -1).length - 1 >= 3);
            assertThat(bridge.homeAssistant().connected()).isFalse();
            assertThat(bridge.homeAssistant().mirrored()).isZero();
            List<ILoggingEvent> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(warnings).as("%s", logs.list).hasSize(1);
            assertThat(warnings.get(0).getFormattedMessage()).contains(home.url().replace("mqtt://", "tcp://")).doesNotContain("wrong");
            int stored = readings(meter).size();
            await().atMost(Duration.ofSeconds(10)).until(() -> readings(meter).size() >= stored + 5);
        }
    }
}
