package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.agent.Fleet;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.json.Json;
import dev.ims.portal.device.Provisioned;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline end to end — simulated meters → MQTT → ingest → store → portal API — on one
 * broker per subclass; the stack is started once per suite.
 */
abstract class PipelineContract {

    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    static final ReadingCodec CODEC = new ReadingCodec();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static LocalStack stack;

    /**
     * What the contract runs against, through the interfaces a deployment has: the portal's URL, the broker's, the fleet
     * provisioning key, the simulated fleet's meters, and a way to register a test meter (register and broker account).
     * The in-process stack ({@link #startStack}) or services reached over the network only ({@link #startOn}).
     */
    interface Target {
        /** The portal's base URL, without a trailing slash. */
        String portalUrl();

        String mqttUrl();

        String provisioningKey();

        /** The meters of the simulated fleet (their history published). */
        List<String> fleetMeterIds();

        /** Registers {@code meterId} and returns the secret it connects to the broker with. */
        String provision(String meterId) throws Exception;
    }

    static Target target;

    /** Starts the stack against {@code mqttUrl} (null: the embedded broker) with an embedded store. */
    static void startStack(String mqttUrl, Path dataDir) throws Exception {
        startStack(mqttUrl, null, dataDir);
    }

    /** As above; {@code mongoUri} null: the embedded store. */
    static void startStack(String mqttUrl, String mongoUri, Path dataDir) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("TIME_ZONE", ZONE.getId(), "HTTP_PORT", "0", "MQTT_PORT", "0", "MQTT_TLS_PORT", "0",
                "MONGO_PORT", "0", "IMS_DATA_DIR", dataDir.toString(), "IMS_ADMIN_PASSWORD", ADMIN_PASSWORD));
        if (mqttUrl != null) {
            env.put("MQTT_URL", mqttUrl);
        }
        if (mongoUri != null) {
            env.put("MONGO_URI", mongoUri);
        }
        stackDir = dataDir;
        stack = LocalStack.start(ImsSettings.load(env, Map.of()), new LocalStack.Options(3, 1, 1, Duration.ZERO));
        stack.fleet().historyDone().get();
        LocalStack local = stack;
        startOn(new Target() {
            @Override
            public String portalUrl() {
                return "http://127.0.0.1:" + local.portalPort();
            }

            @Override
            public String mqttUrl() {
                return local.mqttUrl();
            }

            @Override
            public String provisioningKey() {
                return local.provisioningKey();
            }

            @Override
            public List<String> fleetMeterIds() {
                return local.fleet().meterIds();
            }

            @Override
            public String provision(String meterId) throws Exception {
                Provisioned p = local.devices().provision(meterId, "test").toCompletableFuture().get(30, TimeUnit.SECONDS);
                return p.secret();
            }
        }, dataDir, ADMIN_PASSWORD);
    }

    /** Runs the contract against {@code t}, signed in as the staff account {@code admin}; {@code dataDir} for test meters' state. */
    static void startOn(Target t, Path dataDir, String adminPassword) throws Exception {
        target = t;
        stackDir = dataDir;
        token = login("admin", adminPassword);
    }

    static final String ADMIN_PASSWORD = "pipeline-staff-42";
    static Path stackDir;
    static String token;

    /** A bearer token for {@code username}. */
    static String login(String username, String password) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(target.portalUrl() + "/api/v1/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(Map.of("username", username, "password", password))))
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body()).get("token").asText();
    }

    /** Whether this broker's suite also waits out a queued command's expiry end to end (a minute). */
    boolean checksExpiryEndToEnd() {
        return true;
    }

    @AfterAll
    static void stopStack() {
        target = null;
        if (stack != null) {
            stack.close();
            stack = null;
        }
    }

    @Test
    void fleetHistory_landsOnce_andDailyUnitsEqualTheRegisterDifference() throws Exception {
        for (String meter : target.fleetMeterIds()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> get("/api/v1/meters/" + meter + "/readings?limit=1000").size() >= 96);
            JsonNode readings = get("/api/v1/meters/" + meter + "/readings?limit=1000");
            Map<Long, Integer> seqs = new HashMap<>();
            TreeMap<LocalDate, Double> endOfDay = new TreeMap<>();
            for (JsonNode r : readings) {
                seqs.merge(r.get("seq").asLong(), 1, Integer::sum);
                LocalDate day = Instant.parse(r.get("ts").asText()).atZone(ZONE).toLocalDate();
                endOfDay.merge(day, r.get("energyKwh").asDouble(), Math::max);
            }
            assertThat(seqs.values()).as("each seq stored once").allMatch(n -> n == 1);
            JsonNode usage = get("/api/v1/meters/" + meter + "/usage?period=day&from=" + endOfDay.firstKey());
            Double previous = null;
            for (JsonNode u : usage) {
                LocalDate day = LocalDate.parse(u.get("period").asText());
                double end = endOfDay.get(day);
                assertThat(u.get("toKwh").asDouble()).isEqualTo(end);
                if (previous != null) {
                    assertThat(u.get("kwh").asDouble()).isCloseTo(end - previous, org.assertj.core.data.Offset.offset(0.0011));
                }
                previous = end;
            }
            assertThat(usage.size()).isEqualTo(endOfDay.size());
        }
    }

    /**
     * A prosumer's readings end to end: the export register and power travel from the meter through the broker and
     * the ingest to the usage API, where a day's export is its register difference and net is import minus export;
     * an export register that goes backwards is quarantined like the import one, a negative one rejected.
     */
    @Test
    void prosumerReadings_carryExportToTheUsageApi_asRegisterDifferences_andNet() throws Exception {
        String meter = "sun-" + System.nanoTime() % 1_000_000;
        Mqtt5BlockingClient client = client(meter);
        try {
            Instant t0 = Instant.now().minus(Duration.ofHours(30)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
            double importKwh = 1000;
            double exportKwh = 200;
            TreeMap<LocalDate, double[]> endOfDay = new TreeMap<>(); // import, export
            int n = 30;
            for (int i = 0; i < n; i++) {
                Instant ts = t0.plus(Duration.ofHours(i));
                int hour = ts.atZone(ZONE).getHour();
                boolean sunny = hour >= 10 && hour < 16;
                if (i > 0) {
                    importKwh += sunny ? 0.05 : 0.5;
                    exportKwh += sunny ? 0.8 : 0;
                }
                Reading r = Reading.of(meter, i, ts, Math.round(importKwh * 1000) / 1000.0, sunny ? 0.0 : 500.0, 230.0, 2.2, null, null)
                        .withExport(Math.round(exportKwh * 1000) / 1000.0, sunny ? 800.0 : 0.0);
                publish(client, meter, CODEC.encode(r));
                endOfDay.put(ts.atZone(ZONE).toLocalDate(), new double[] {r.energyKwh(), r.exportKwh()});
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/meters/" + meter + "/readings?limit=100").size() == n);
            JsonNode latest = get("/api/v1/meters/" + meter).get("latest");
            assertThat(latest.get("exportKwh").asDouble()).isEqualTo(endOfDay.lastEntry().getValue()[1]);
            assertThat(latest.get("exportPowerW").isNumber()).isTrue();
            JsonNode usage = get("/api/v1/meters/" + meter + "/usage?period=day&from=" + endOfDay.firstKey());
            assertThat(usage.size()).isEqualTo(endOfDay.size());
            double[] previous = null;
            for (JsonNode u : usage) {
                double[] end = endOfDay.get(LocalDate.parse(u.get("period").asText()));
                assertThat(u.has("exportKwh")).as(u.toString()).isTrue();
                if (previous != null) {
                    assertThat(u.get("kwh").asDouble()).isCloseTo(end[0] - previous[0], org.assertj.core.data.Offset.offset(0.0011));
                    assertThat(u.get("exportKwh").asDouble()).isCloseTo(end[1] - previous[1], org.assertj.core.data.Offset.offset(0.0011));
                }
                assertThat(u.get("netKwh").asDouble()).isCloseTo(u.get("kwh").asDouble() - u.get("exportKwh").asDouble(),
                        org.assertj.core.data.Offset.offset(0.0011));
                previous = end;
            }
            // An export register going backwards is quarantined; a negative one is not a reading at all.
            Instant after = t0.plus(Duration.ofHours(n));
            publish(client, meter, CODEC.encode(Reading.of(meter, n, after, importKwh + 0.5, 500.0, null, null, null, null)
                    .withExport(exportKwh - 5, 0.0)));
            publish(client, meter, ("{\"meterId\":\"" + meter + "\",\"seq\":" + (n + 1) + ",\"ts\":\"" + after.plusSeconds(60)
                    + "\",\"energyKwh\":" + (importKwh + 1) + ",\"exportKwh\":-3,\"status\":\"OK\"}").getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(20)).until(() -> rejectedReasons(meter).size() == 2);
            assertThat(rejectedReasons(meter)).containsExactlyInAnyOrder("REGISTER_BACKWARDS", "OUT_OF_RANGE");
        } finally {
            client.disconnect();
        }
    }

    @Test
    void duplicatesAndOutOfOrderReplays_areStoredOnce_andBadPayloadsAreRejectedWithReasons() throws Exception {
        String meter = "e2e-" + System.nanoTime() % 1_000_000;
        Mqtt5BlockingClient client = client(meter);
        try {
            Instant t = Instant.now().minusSeconds(300);
            byte[][] readings = new byte[4][];
            for (int i = 0; i < 4; i++) {
                readings[i] = CODEC.encode(Reading.of(meter, i, t.plusSeconds(60L * i), 10 + i, 100.0, 230.0, 0.43, null, null));
            }
            for (int i : new int[] {0, 3, 1, 1, 2, 0, 3}) {
                publish(client, meter, readings[i]);
            }
            publish(client, meter, "{\"meterId\":\"".concat(meter).concat("\",\"seq\":").getBytes(StandardCharsets.UTF_8));
            publish(client, meter, ("{\"meterId\":\"" + meter + "\",\"seq\":9,\"ts\":\"" + t + "\",\"energyKwh\":\"lots\",\"status\":\"OK\"}")
                    .getBytes(StandardCharsets.UTF_8));
            publish(client, meter, CODEC.encode(Reading.of(meter, 9, t.plusSeconds(900), 5, 100.0, 230.0, 0.43, null, null)));
            publish(client, meter, CODEC.encode(Reading.of(meter, 4, t.plusSeconds(240), 14, null, null, null, null, null)));
            await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/v1/meters/" + meter + "/readings").size() == 5
                    && rejectedReasons(meter).size() == 3);
            assertThat(get("/api/v1/meters/" + meter + "/readings")).extracting(r -> r.get("seq").asLong())
                    .containsExactly(4L, 3L, 2L, 1L, 0L);
            assertThat(rejectedReasons(meter)).containsExactlyInAnyOrder("MALFORMED_JSON", "WRONG_TYPE", "REGISTER_BACKWARDS");
            assertThat(get("/health").get("database").asText()).isEqualTo("UP");
            // The counters reach /health with the ingest's next heartbeat.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> get("/health").get("counters").get("duplicates").asLong() >= 3);
        } finally {
            client.disconnect();
        }
    }

    @Test
    void relayCommand_isConfirmedByTheMeter_verifiedByItsReadings_andShownAsTheMeterReportsIt() throws Exception {
        String meter = target.fleetMeterIds().get(0);
        String off = relay(meter, "OFF", "unpaid bill, notice 2026-11-01");
        await().atMost(Duration.ofSeconds(60)).until(() -> "VERIFIED".equals(get("/api/v1/commands/" + off).get("state").asText()));
        JsonNode c = get("/api/v1/commands/" + off);
        assertThat(c.get("meterId").asText()).isEqualTo(meter);
        assertThat(c.get("requestedBy").asText()).isEqualTo("admin");
        assertThat(c.get("ackRelay").asText()).isEqualTo("OFF");
        assertThat(c.get("history")).extracting(h -> h.get("state").asText()).containsExactly("PENDING", "CONFIRMED", "VERIFIED");
        await().atMost(Duration.ofSeconds(20)).until(() -> "OFF".equals(get("/api/v1/meters/" + meter).get("latest").get("relay").asText()));
        String page = getText("/meters/" + meter);
        assertThat(page).contains("id=\"notice-relay\"").contains("<strong id=\"relay-state\">OFF</strong>").contains("VERIFIED");
        String on = relay(meter, "ON", "bill settled");
        await().atMost(Duration.ofSeconds(60)).until(() -> "VERIFIED".equals(get("/api/v1/commands/" + on).get("state").asText()));
        await().atMost(Duration.ofSeconds(20)).until(() -> "ON".equals(get("/api/v1/meters/" + meter).get("latest").get("relay").asText()));
        assertThat(get("/api/v1/meters/" + meter + "/commands")).extracting(x -> x.get("commandId").asText()).startsWith(on, off);
    }

    @Test
    void relayCommand_forAnOfflineMeter_isQueued_expiresUndelivered_orReachesTheMeterWhenItReconnects_andIsVerified() throws Exception {
        ImsSettings settings = ImsSettings.load(Map.of("TIME_ZONE", ZONE.getId(), "IMS_DATA_DIR", stackDir.resolve("late-meter").toString()),
                Map.of()).withMqttUrl(target.mqttUrl());
        Fleet.Options options = new Fleet.Options(Duration.ofSeconds(1), 0, Fleet.Options.DEFAULT_HISTORY_STEP, 0.0)
                .withMinSwitchInterval(Duration.ZERO).withEnrolment(URI.create(target.portalUrl()), target.provisioningKey());
        Fleet.Member member = Fleet.fresh(stackDir.resolve("late-meter"), settings, options, Clock.systemUTC());
        String meter = member.meter().meterId();
        try (Fleet once = Fleet.start(List.of(member), settings, options, Clock.systemUTC(), null).get(30, TimeUnit.SECONDS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> "ONLINE".equals(get("/api/v1/meters/" + meter).path("state").asText()));
            await().atMost(Duration.ofSeconds(30)).until(() -> "ON".equals(get("/api/v1/meters/" + meter).path("latest").path("relay").asText()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> "OFFLINE".equals(get("/api/v1/meters/" + meter).path("state").asText()));

        // Offline: kept, not sent. The shortest validity runs out before the meter is back: EXPIRED, never delivered.
        // (A minute's wait: done on one broker only, since expiry is the portal's and the ingest's, not the broker's.)
        String expiring = null;
        if (checksExpiryEndToEnd()) {
            HttpResponse<String> shortLived = post("/api/v1/meters/" + meter + "/relay",
                    "{\"relay\":\"OFF\",\"reason\":\"only if it comes back soon\",\"validForMinutes\":1}");
            assertThat(shortLived.statusCode()).as(shortLived.body()).isEqualTo(202);
            assertThat(Json.mapper().readTree(shortLived.body()).get("state").asText()).isEqualTo("QUEUED");
            String id = Json.mapper().readTree(shortLived.body()).get("commandId").asText();
            await().atMost(Duration.ofSeconds(90)).until(() -> "EXPIRED".equals(get("/api/v1/commands/" + id).get("state").asText()));
            expiring = id;
        }
        String off = relay(meter, "OFF", "unpaid bill, meter offline");
        JsonNode queued = get("/api/v1/commands/" + off);
        assertThat(queued.get("state").asText()).isEqualTo("QUEUED");
        assertThat(Instant.parse(queued.get("expiresAt").asText())).isAfter(Instant.now().plus(Duration.ofHours(23)));
        assertThat(getText("/meters/" + meter)).contains("QUEUED");

        // The meter comes back (the same state file: its own ID, journal and relay): the queued command reaches it.
        try (Fleet again = Fleet.start(List.of(Fleet.existing(member.stateFile(), settings, options)), settings, options, Clock.systemUTC(), null)
                .get(30, TimeUnit.SECONDS)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> "VERIFIED".equals(get("/api/v1/commands/" + off).get("state").asText()));
            JsonNode c = get("/api/v1/commands/" + off);
            assertThat(c.get("ackRelay").asText()).isEqualTo("OFF");
            assertThat(c.get("history")).extracting(h -> h.get("state").asText()).containsExactly("QUEUED", "PENDING", "CONFIRMED", "VERIFIED");
            await().atMost(Duration.ofSeconds(20)).until(() -> "OFF".equals(get("/api/v1/meters/" + meter).get("latest").get("relay").asText()));
            if (expiring != null) {
                JsonNode expired = get("/api/v1/commands/" + expiring);
                assertThat(expired.get("state").asText()).isEqualTo("EXPIRED");
                assertThat(expired.has("ackedAt") && !expired.get("ackedAt").isNull()).as("never delivered, never acknowledged").isFalse();
                assertThat(expired.get("history")).extracting(h -> h.get("state").asText()).containsExactly("QUEUED", "EXPIRED");
            }
        }
    }

    @Test
    void forgedReading_isQuarantined_andStaffAcceptingItThroughThePortal_storesItOnce() throws Exception {
        String meter = "q-" + System.nanoTime() % 1_000_000;
        Mqtt5BlockingClient client = client(meter);
        try {
            Instant t = Instant.now().minusSeconds(1800);
            publish(client, meter, CODEC.encode(Reading.of(meter, 0, t, 100.0, null, null, null, null, null)));
            publish(client, meter, CODEC.encode(Reading.of(meter, 1_000_000, t.plusSeconds(60), 1e8, null, null, null, null, null)));
            publish(client, meter, CODEC.encode(Reading.of(meter, 1, t.plusSeconds(900), 900.0, null, null, null, null, null)));
            await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/v1/meters/" + meter + "/quarantine").size() == 2);
            assertThat(get("/api/v1/meters/" + meter).get("latest").get("energyKwh").asDouble()).isEqualTo(100.0);
            JsonNode q = get("/api/v1/meters/" + meter + "/quarantine");
            assertThat(q).extracting(x -> x.get("reason").asText()).containsExactlyInAnyOrder("SEQ_JUMP", "IMPLAUSIBLE_CONSUMPTION");
            String meterExchanged = null;
            for (JsonNode x : q) {
                if (x.get("reason").asText().equals("IMPLAUSIBLE_CONSUMPTION")) {
                    meterExchanged = x.get("id").asText();
                }
            }
            assertThat(post("/api/v1/rejected/" + meterExchanged + "/accept", "{}").statusCode()).isEqualTo(400); // a reason is required
            assertThat(post("/api/v1/rejected/" + meterExchanged + "/accept", "{\"reason\":\"meter exchanged, register checked on site\"}")
                    .statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/v1/meters/" + meter + "/readings").size() == 2);
            assertThat(get("/api/v1/meters/" + meter).get("latest").get("energyKwh").asDouble()).isEqualTo(900.0);
            String id = meterExchanged;
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                for (JsonNode x : get("/api/v1/meters/" + meter + "/quarantine")) {
                    if (x.get("id").asText().equals(id)) {
                        return x.get("state").asText().equals("ACCEPTED");
                    }
                }
                return false;
            });
            assertThat(post("/api/v1/rejected/" + meterExchanged + "/discard", "{\"reason\":\"changed my mind\"}").statusCode()).isEqualTo(409);
        } finally {
            client.disconnect();
        }
    }

    /**
     * The broker and pipeline monitor on the whole stack: the portal reads the broker's figures under the monitoring
     * identity the stack (or ./ims mosquitto-init) made, and the ingest's heartbeat carries its pipeline figures.
     */
    void assertBrokerAndPipelineMonitored() throws Exception {
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            com.fasterxml.jackson.databind.JsonNode b = Json.mapper().readTree(getText("/api/v1/broker"));
            assertThat(b.at("/monitor/connected").asBoolean()).as(b.toString()).isTrue();
            // The fleet, the ingest's two sessions, the portal and the monitor.
            assertThat(b.at("/broker/clientsConnected").asLong()).isGreaterThanOrEqualTo(target.fleetMeterIds().size() + 3);
            assertThat(b.at("/broker/messagesReceived").asLong()).isPositive();
            assertThat(b.get("ingest")).hasSize(1);
            com.fasterxml.jackson.databind.JsonNode ingest = b.get("ingest").get(0);
            assertThat(ingest.get("alive").asBoolean()).isTrue();
            assertThat(ingest.get("ratePerSecond").isNumber()).isTrue();
            assertThat(ingest.get("lagSeconds").isNumber()).isTrue();
            assertThat(ingest.get("batchSizeMax").asDouble()).isPositive();
            assertThat(ingest.get("writeLatencyMaxMs").isNumber()).isTrue();
        });
        assertThat(getText("/metrics")).contains("ims_broker_clients_connected").contains("ims_broker_monitor_connected 1.0");
    }

    @Test
    void metrics_showTheIngestAndTheFleet_onePlaceForTheWholeStack() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            String m = getText("/metrics");
            return m.matches("(?s).*ims_ingest_messages_total\\{instance=\"[^\"]+\",outcome=\"stored\"} [1-9].*")
                    && m.contains("ims_fleet_meters{state=\"ONLINE\"} " + target.fleetMeterIds().size() + ".0");
        });
        String m = getText("/metrics");
        assertThat(m).contains("ims_ingest_batch_write_seconds_count").contains("ims_ingest_database_up{").contains("ims_ingest_queue{")
                .contains("jvm_memory_used_bytes").contains("ims_commands_open{state=\"QUEUED\"}");
    }

    /**
     * Revocation on the running stack: staff decommission a live meter through the portal; the broker closes its
     * session (the register refuses it from then on, the portal's sweep disconnects it), it stays offline although it
     * keeps trying, no reading of it is stored afterwards, relay commands are refused, and its history is kept.
     */
    @Test
    void decommissionedMeter_isDisconnected_andStaysOut_andItsHistoryIsKept() throws Exception {
        ImsSettings settings = ImsSettings.load(Map.of("TIME_ZONE", ZONE.getId(), "IMS_DATA_DIR", stackDir.resolve("revoked-meter").toString()),
                Map.of()).withMqttUrl(target.mqttUrl());
        Fleet.Options options = new Fleet.Options(Duration.ofSeconds(1), 0, Fleet.Options.DEFAULT_HISTORY_STEP, 0.0)
                .withEnrolment(URI.create(target.portalUrl()), target.provisioningKey());
        Fleet.Member member = Fleet.fresh(stackDir.resolve("revoked-meter"), settings, options, Clock.systemUTC());
        String meter = member.meter().meterId();
        try (Fleet fleet = Fleet.start(List.of(member), settings, options, Clock.systemUTC(), null).get(30, TimeUnit.SECONDS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> "ONLINE".equals(get("/api/v1/meters/" + meter).path("state").asText())
                    && get("/api/v1/meters/" + meter + "/readings").size() >= 2);

            HttpResponse<String> r = post("/api/v1/meters/" + meter + "/decommission", "{\"reason\":\"meter removed from site\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            // The broker publishes the meter's OFFLINE will when it closes the session; the meter's reconnects are refused.
            await().atMost(Duration.ofSeconds(20)).until(() -> "OFFLINE".equals(get("/api/v1/meters/" + meter).path("state").asText()));
            int kept = get("/api/v1/meters/" + meter + "/readings?limit=1000").size();
            assertThat(kept).as("history kept").isGreaterThanOrEqualTo(2);
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(() ->
                    get("/api/v1/meters/" + meter + "/readings?limit=1000").size() == kept
                            && "OFFLINE".equals(get("/api/v1/meters/" + meter).path("state").asText()));
            assertThat(post("/api/v1/meters/" + meter + "/relay", "{\"relay\":\"OFF\",\"reason\":\"after decommissioning\"}")
                    .statusCode()).isEqualTo(409);
            assertThat(get("/api/v1/meters/" + meter).path("decommissioned").path("reason").asText()).isEqualTo("meter removed from site");
        }
    }

    @Test
    void relayCommand_needsARelayAndAReason_andAKnownMeter() throws Exception {
        String meter = target.fleetMeterIds().get(1);
        assertThat(post("/api/v1/meters/" + meter + "/relay", "{\"relay\":\"OFF\"}").statusCode()).isEqualTo(400);
        assertThat(post("/api/v1/meters/" + meter + "/relay", "{\"relay\":\"HALF\",\"reason\":\"test\"}").statusCode()).isEqualTo(400);
        assertThat(post("/api/v1/meters/nobody-here/relay", "{\"relay\":\"OFF\",\"reason\":\"test\"}").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/meters/" + meter + "/commands")).isEmpty();
    }

    private static String relay(String meter, String relay, String reason) throws Exception {
        HttpResponse<String> r = post("/api/v1/meters/" + meter + "/relay",
                Json.mapper().writeValueAsString(Map.of("relay", relay, "reason", reason)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(r.headers().firstValue("Location")).isPresent();
        return Json.mapper().readTree(r.body()).get("commandId").asText();
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(target.portalUrl() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String getText(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(target.portalUrl() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    private static java.util.List<String> rejectedReasons(String meter) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode r : get("/api/v1/rejected?limit=1000")) {
            if (r.get("topic").asText().contains("/" + meter + "/")) {
                out.add(r.get("reason").asText());
            }
        }
        return out;
    }

    /** A connection of {@code meter}, provisioned in the stack's register (and on the broker) first, as the CLI does. */
    private static Mqtt5BlockingClient client(String meter) throws Exception {
        String secret = target.provision(meter);
        MqttEndpoint e = MqttEndpoint.parse(target.mqttUrl());
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(meter).serverHost(e.host())
                .serverPort(e.port()).simpleAuth().username(meter).password(secret.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        c.connect();
        return c;
    }

    private static void publish(Mqtt5BlockingClient client, String meter, byte[] payload) {
        client.publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(target.portalUrl() + path))
                        .header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return Json.mapper().createArrayNode();
        }
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }
}
