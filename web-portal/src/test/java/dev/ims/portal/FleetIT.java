package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.reading.MeterStatus;
import dev.ims.model.reading.Reading;
import dev.ims.portal.fleet.FleetOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The staff's fleet view over the embedded store: {@code GET /api/v1/fleet} and the page on the module's shared portal (its
 * index reloads before every read there, the suites writing the store behind its back), and the live stream and the load
 * curve on portals of their own. Every answer is checked against docs/openapi.yaml.
 */
class FleetIT {

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
    }

    @BeforeEach
    void clean() {
        for (String c : List.of(METERS, READINGS, DAILY, FLEET_LOAD)) {
            Mono.from(PortalIT.db.getCollection(c).drop()).block();
        }
    }

    /** 24 meters: 0-9 online, 10-13 offline, 14-16 silent, 17 decommissioned, 18-19 faulty (19 tampered, supply off), 20-23 unknown. */
    static void seedFleet(MongoDatabase db) {
        Instant now = Instant.now();
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String id = String.format("fl-%02d", i);
            Instant ts = i >= 14 && i <= 16 ? now.minus(Duration.ofMinutes(40)) : now.minusSeconds(30);
            MeterStatus status = i == 18 || i == 19 ? MeterStatus.FAULT : MeterStatus.OK;
            readings.add(new Reading(id, 7, ts, 100 + i, 100.0 * i, 230.0, null, status, i == 19 ? dev.ims.model.reading.FaultCode.TAMPER
                    : i == 18 ? dev.ims.model.reading.FaultCode.OVERVOLTAGE : null, i == 19 ? dev.ims.model.reading.RelayState.OFF
                    : dev.ims.model.reading.RelayState.ON, Map.of()));
        }
        StoreSeed.store(db, StoreSeed.BERLIN, readings, now);
        for (int i = 0; i < 24; i++) {
            String id = String.format("fl-%02d", i);
            String state = i < 10 || i >= 14 && i < 20 ? "ONLINE" : i < 14 ? "OFFLINE" : null;
            Document fields = new Document(ID, id);
            if (state != null) {
                fields.append(CONNECTION_LAST, new Document(TS, Date.from(now.minusSeconds(600))).append(STATE, state));
            }
            if (i % 3 == 0) {
                fields.append(OWNER, i == 3 ? "Customer-Alice" : "owner-" + i);
            }
            if (i == 17) {
                fields.append(DECOMMISSIONED, new Document(AT, Date.from(now.minusSeconds(60))).append("by", "admin").append(REASON, "removed"));
            }
            if (i == 5) {
                fields.append(DO_NOT_DISCONNECT, true);
            }
            if (i >= 14 && i <= 16) {
                fields.append(LAST_SEEN, Date.from(now.minus(Duration.ofMinutes(40)))); // received then: silent since
            }
            StoreSeed.meter(db, fields);
        }
    }

    private static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("items").forEach(i -> out.add(i.get("meterId").asText()));
        return out;
    }

    @Test
    void theFleetCall_countsByState_filtersSearchesSortsAndPages() throws Exception {
        seedFleet(PortalIT.db);
        JsonNode all = PortalIT.get("/api/v1/fleet?size=10", 200);
        assertThat(all.get("total").asInt()).isEqualTo(24);
        assertThat(all.get("matched").asInt()).isEqualTo(24);
        JsonNode counts = all.get("counts");
        assertThat(counts.get("online").asInt()).isEqualTo(12); // 0-9 and the two faulty ones
        assertThat(counts.get("offline").asInt()).isEqualTo(4);
        assertThat(counts.get("silent").asInt()).isEqualTo(3);
        assertThat(counts.get("decommissioned").asInt()).isEqualTo(1);
        assertThat(counts.get("unknown").asInt()).isEqualTo(4);
        assertThat(counts.get("fault").asInt()).isEqualTo(2);
        assertThat(counts.get("tamper").asInt()).isEqualTo(1);
        assertThat(counts.get("supplyOff").asInt()).isEqualTo(1);
        assertThat(ids(all)).hasSize(10).startsWith("fl-00", "fl-01");

        JsonNode third = PortalIT.get("/api/v1/fleet?size=10&page=3", 200);
        assertThat(ids(third)).containsExactly("fl-20", "fl-21", "fl-22", "fl-23");

        assertThat(ids(PortalIT.get("/api/v1/fleet?state=offline&state=tamper", 200))).containsExactly("fl-10", "fl-11", "fl-12", "fl-13", "fl-19");
        assertThat(ids(PortalIT.get("/api/v1/fleet?state=silent", 200))).containsExactly("fl-14", "fl-15", "fl-16");
        assertThat(ids(PortalIT.get("/api/v1/fleet?q=alice", 200))).containsExactly("fl-03");
        assertThat(ids(PortalIT.get("/api/v1/fleet?q=FL-2", 200))).containsExactly("fl-20", "fl-21", "fl-22", "fl-23");
        assertThat(ids(PortalIT.get("/api/v1/fleet?sort=powerW&size=3", 200))).containsExactly("fl-23", "fl-22", "fl-21");

        JsonNode tampered = PortalIT.get("/api/v1/fleet?state=tamper", 200).get("items").get(0);
        assertThat(tampered.get("state").asText()).isEqualTo("online");
        assertThat(tampered.get("states")).extracting(JsonNode::asText).containsExactlyInAnyOrder("online", "fault", "tamper", "supplyOff");
        assertThat(tampered.get("fault").asText()).isEqualTo("TAMPER");
        assertThat(tampered.get("relay").asText()).isEqualTo("OFF");
        assertThat(tampered.get("powerW").asDouble()).isEqualTo(1900.0);
        JsonNode dnd = PortalIT.get("/api/v1/fleet?q=fl-05", 200).get("items").get(0);
        assertThat(dnd.get("doNotDisconnect").asBoolean()).isTrue();
        assertThat(PortalIT.get("/api/v1/fleet?q=fl-17", 200).get("items").get(0).get("decommissionedAt").isTextual()).isTrue();
    }

    @Test
    void consumers_areRefused_andBadParameters_areA400() throws Exception {
        String name = "fleet-" + System.nanoTime() % 1_000_000;
        AccountsIT.Browser.signUp(name);
        String consumer = PortalIT.login(name, AccountsIT.Browser.PASSWORD);
        PortalIT.getText("/api/v1/fleet", 403, consumer);
        PortalIT.getText("/api/v1/fleet/load", 403, consumer);
        PortalIT.getText("/api/v1/fleet/events", 403, consumer);
        for (String bad : List.of("size=500", "page=0", "state=sleeping", "sort=owner", "order=sideways", "q=" + "x".repeat(70))) {
            assertThat(PortalIT.get("/api/v1/fleet?" + bad, 400).get("error").asText()).as(bad).isNotBlank();
        }
        assertThat(PortalIT.get("/api/v1/fleet/load?hours=25", 400).get("error").asText()).contains("hours");
        assertThat(PortalIT.getText("/?size=0", 400, PortalIT.staffToken)).contains("size must be");
    }

    @Test
    void theStaffPage_showsOnePage_withTheFilterFormCountsPagingAndLoadCurve() throws Exception {
        seedFleet(PortalIT.db);
        String page = PortalIT.getText("/?size=5&sort=meterId", 200, PortalIT.staffToken);
        assertThat(page).contains("id=\"fleet-filter\"").contains("data-count=\"offline\">4<").contains("href=\"/?state=silent\"")
                .contains("24 of 24 meters match; page 1 of 5").doesNotContain("data-meter=\"fl-05\" ").contains("data-meter=\"fl-04\"")
                .contains("rel=\"next\"").contains("class=\"sparkline\"").contains("<noscript><meta http-equiv=\"refresh\"")
                .contains("<script src=\"/static/fleet.js\" defer></script>").contains("id=\"alarms\"");
        assertThat(page.split("<tr data-meter=", -1)).hasSize(6);
        String offline = PortalIT.getText("/?state=offline&q=fl-1", 200, PortalIT.staffToken);
        assertThat(offline).contains("data-meter=\"fl-10\"", "data-meter=\"fl-13\"").doesNotContain("data-meter=\"fl-00\"")
                .contains("id=\"fleet-state-offline\" checked");
    }

    @Test
    void liveEvents_pushTheRowsThatChanged_andTheStreamsPerProcessAreBounded() throws Exception {
        try (OwnPortal own = OwnPortal.start("fleet_events", FleetOptions.DEFAULTS.withMaxStreams(1).withHeartbeat(Duration.ofMillis(300)))) {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            HttpClient plain = HttpClient.newHttpClient();
            HttpResponse<Stream<String>> stream = plain.send(HttpRequest.newBuilder(URI.create(own.url("/api/v1/fleet/events")))
                    .header("Authorization", "Bearer " + own.staffToken).build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            Thread reader = new Thread(() -> stream.body().forEach(lines::add), "sse-reader");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> lines.contains("event: hello"));
            await().atMost(Duration.ofSeconds(5)).until(() -> lines.contains(": keep-alive"));

            HttpResponse<String> second = own.http.send(HttpRequest.newBuilder(URI.create(own.url("/api/v1/fleet/events")))
                    .header("Authorization", "Bearer " + own.staffToken).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(second.statusCode()).isEqualTo(503);
            assertThat(second.headers().firstValue("Retry-After")).isPresent();

            // The portal's own write, then its touch: the stream carries the changed row and the new counts.
            StoreSeed.meter(own.db, new Document(ID, "fl-00").append(CONNECTION_LAST, new Document(TS, new Date()).append(STATE, "OFFLINE")));
            own.portal.fleetIndex().touch("fl-00").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            String data = await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().filter(l -> l.startsWith("data: ") && l.contains("fl-00"))
                    .findFirst().orElse(null), d -> d != null);
            JsonNode event = Json.mapper().readTree(data.substring(6));
            assertThat(event.get("items")).hasSize(1);
            assertThat(event.get("items").get(0).get("state").asText()).isEqualTo("offline");
            assertThat(event.get("counts").get("offline").asInt()).isEqualTo(5);
            assertThat(event.get("more").asBoolean()).isFalse();
            stream.body().close();
        }
    }

    @Test
    void aDecommissioningThroughThisPortal_showsAtOnce_notAtTheNextResync() throws Exception {
        try (OwnPortal own = OwnPortal.start("fleet_touch", FleetOptions.DEFAULTS)) {
            PortalIT.enrolled(own.db, "fl-02");
            assertThat(own.api("/api/v1/fleet?q=fl-02").get("items").get(0).get("state").asText()).isEqualTo("online");
            HttpResponse<String> r = own.http.send(HttpRequest.newBuilder(URI.create(own.url("/api/v1/meters/fl-02/decommission")))
                    .header("Authorization", "Bearer " + own.staffToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"removed on site\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> "decommissioned".equals(own.api("/api/v1/fleet?q=fl-02").get("items").get(0)
                    .get("state").asText()));
            assertThat(own.portal.fleetIndex().reloads()).as("no reload but the first").isEqualTo(1);
        }
    }

    @Test
    void theLoadCurve_sumsThePowerOfTheMetersReporting_andARestartKeepsIt() throws Exception {
        FleetOptions quick = FleetOptions.DEFAULTS.withLoadSample(Duration.ofMillis(200));
        double expected;
        try (OwnPortal own = OwnPortal.start("fleet_load_it", quick)) {
            assertThat(own.portal.fleetIndex().size()).as("loaded at start").isEqualTo(24);
            // Reporting: online (0-9, 18, 19) and unknown with a recent reading (20-23); not offline, silent or decommissioned.
            expected = 0;
            for (int i : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 18, 19, 20, 21, 22, 23}) {
                expected += 100.0 * i;
            }
            double sum = expected;
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                JsonNode points = own.api("/api/v1/fleet/load?hours=1").get("points");
                return points.size() > 0 && points.get(points.size() - 1).get("powerW").asDouble() == sum;
            });
            assertThat(own.api("/api/v1/fleet/load").get("points").get(0).get("meters").asDouble()).isEqualTo(16.0);
        }
        try (OwnPortal again = OwnPortal.restart("fleet_load_it", FleetOptions.DEFAULTS)) {
            JsonNode points = again.api("/api/v1/fleet/load").get("points");
            assertThat(points).isNotEmpty();
            assertThat(points.get(points.size() - 1).get("powerW").asDouble()).isEqualTo(expected);
            assertThat(again.portal.fleetIndex().size()).as("loaded at start").isEqualTo(24);
        }
    }

    /**
     * A portal of its own on the module's store with these fleet options, in a database of its own emptied and seeded
     * ({@link #seedFleet}) before it starts ({@link #start}), or as it is ({@link #restart}).
     */
    static final class OwnPortal implements AutoCloseable {
        final Portal portal;
        final MongoDatabase db;
        final int port;
        final String staffToken;
        final HttpClient http = dev.ims.portal.apidoc.ContractCheckingHttpClient.of(HttpClient.newHttpClient());

        private OwnPortal(Portal portal, MongoDatabase db, int port) throws Exception {
            this.portal = portal;
            this.db = db;
            this.port = port;
            this.staffToken = login();
        }

        static OwnPortal start(String database, FleetOptions fleet) throws Exception {
            MongoDatabase db = PortalIT.mongo.getDatabase(database);
            Mono.from(db.drop()).block();
            seedFleet(db);
            return restart(database, fleet);
        }

        static OwnPortal restart(String database, FleetOptions fleet) throws Exception {
            MongoDatabase db = PortalIT.mongo.getDatabase(database);
            java.nio.file.Path dataDir = Files.createTempDirectory("fleet-portal");
            ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD, "IMS_DATA_DIR",
                    dataDir.toString(), "TIME_ZONE", "Europe/Berlin"), Map.of()).withMongoUri(PortalIT.store.connectionString());
            PortalSettings settings = PortalSettings.load(ims, Map.of()).withPasswordCost(4).withLimits(PortalIT.MANY_SIGNUPS).withFleet(fleet);
            Portal portal = new Portal(settings, db, PortalIT.vertx);
            int port = portal.start().toCompletionStage().toCompletableFuture().get();
            return new OwnPortal(portal, db, port);
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        private String login() throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/api/v1/login"))).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + PortalIT.ADMIN_PASSWORD + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return Json.mapper().readTree(r.body()).get("token").asText();
        }

        JsonNode api(String path) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + staffToken).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            return Json.mapper().readTree(r.body());
        }

        @Override
        public void close() {
            portal.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
