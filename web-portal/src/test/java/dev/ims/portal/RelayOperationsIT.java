package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandVerifier;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.reading.FaultCode;
import dev.ims.model.reading.MeterStatus;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import dev.ims.portal.command.CommandOptions;
import dev.ims.portal.command.CommandService;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * The safeguards on supply relay commands over the real embedded broker and store (issue 15): the interlock (a fault the
 * ingest stored, an open tamper alarm) refuses ON until staff override it with a reason; a "do not disconnect" meter's OFF
 * waits for a second staff member; bulk requests are released at the portal's rate limit. Every answer is checked against
 * docs/openapi.yaml; the meters' side is a plain MQTT client per meter that records what reaches it.
 */
class RelayOperationsIT {

    @TempDir
    static Path dataDir;

    static EmbeddedBroker broker;
    static Portal portal;
    static MongoDatabase db;
    static int port;
    static final BrokerIdentities ids = new BrokerIdentities();
    static MeterSides meterSide;
    /** Every command payload that reached a meter, with its topic. */
    static final List<Map.Entry<String, byte[]>> published = new CopyOnWriteArrayList<>();
    static final Map<String, String> tokens = new ConcurrentHashMap<>();
    static final int BULK_PER_SECOND = 4;

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        db = PortalIT.mongo.getDatabase("relayops");
        Mono.from(db.drop()).block();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dataDir.resolve("broker")).withSecurity(ids.security()));
        ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD, "IMS_DATA_DIR", dataDir.toString()),
                Map.of()).withMongoUri(PortalIT.store.connectionString()).withMqttUrl(broker.url()).withMqttCredential(ids.portal("ims-portal"));
        portal = new Portal(PortalSettings.load(ims, Map.of(CommandOptions.BULK_COMMANDS_PER_SECOND, Integer.toString(BULK_PER_SECOND)))
                .withPasswordCost(4), db, PortalIT.vertx);
        port = portal.start().toCompletionStage().toCompletableFuture().get();
        meterSide = new MeterSides(broker.port(), ids).onPublish(p -> published.add(Map.entry(p.getTopic().toString(), p.getPayloadAsBytes())));
        // A second and a third staff member (the portal makes only the first).
        dev.ims.portal.account.Passwords passwords = new dev.ims.portal.account.Passwords(4);
        for (String staff : List.of("bob", "carol")) {
            Mono.from(db.getCollection(USERS).insertOne(new Document(ID, staff).append("passwordHash", passwords.hash(PortalIT.ADMIN_PASSWORD))
                    .append("role", "STAFF").append("createdAt", new Date()))).block();
        }
        for (String staff : List.of("admin", "bob", "carol")) {
            tokens.put(staff, login(staff));
        }
    }

    @AfterAll
    static void stop() {
        if (meterSide != null) {
            meterSide.close();
        }
        if (portal != null) {
            portal.close().toCompletionStage().toCompletableFuture().join();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---- interlock ----------------------------------------------------------------------------------------------

    @Test
    void relayOn_whileTheMeterReportsAFault_isRefusedNamingIt_thenOverriddenWithAReason_andAudited() throws Exception {
        String meter = "IMS-LOCK-01";
        online(meter);
        meterSide.meter(meter);
        Instant ts = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        // The fault as the ingest stores it: a reading with a fault code (status FAULT).
        StoreSeed.store(db, List.of(Reading.of(meter, 7, ts, 12.5, 300.0, 230.0, 1.3, FaultCode.OVERVOLTAGE, RelayState.OFF)));
        assertThat(meterDoc(meter).get(LATEST, Document.class).getString(STATUS)).isEqualTo(MeterStatus.FAULT.name());

        HttpResponse<String> refused = relay("admin", meter, "{\"relay\":\"ON\",\"reason\":\"restore supply\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        JsonNode body = Json.mapper().readTree(refused.body());
        assertThat(body.get("error").asText()).contains("interlock").contains("OVERVOLTAGE");
        assertThat(body.get("interlock").get("fault").get("code").asText()).isEqualTo("OVERVOLTAGE");
        assertThat(Instant.parse(body.get("interlock").get("fault").get("at").asText())).isEqualTo(ts);
        assertThat(body.get("interlock").get("alarmId").isNull()).isTrue();
        assertThat(commandsOf(meter)).isZero();

        HttpResponse<String> shortReason = relay("admin", meter, "{\"relay\":\"ON\",\"reason\":\"restore supply\",\"override\":{\"reason\":\"ok\"}}");
        assertThat(shortReason.statusCode()).as(shortReason.body()).isEqualTo(400);
        assertThat(shortReason.body()).contains("override");
        assertThat(commandsOf(meter)).isZero();

        String id = accepted(relay("admin", meter,
                "{\"relay\":\"ON\",\"reason\":\"restore supply\",\"override\":{\"reason\":\"field engineer replaced the fuse\"}}"), "PENDING");
        RelayCommand sent = awaitCommand(meter, id);
        assertThat(sent.relay()).isEqualTo(RelayState.ON);
        assertThat(new CommandVerifier(CommandKeySet.read(CommandKeys.defaultKeySetFile(dataDir))).verify(meter, sent, Instant.now()).ok()).isTrue();
        JsonNode audited = get("admin", "/api/v1/commands/" + id);
        assertThat(audited.get("override").get("by").asText()).isEqualTo("admin");
        assertThat(audited.get("override").get("reason").asText()).isEqualTo("field engineer replaced the fuse");
        assertThat(audited.get("override").get("interlock").get("fault").get("code").asText()).isEqualTo("OVERVOLTAGE");
        assertThat(audited.get("history").get(0).get("detail").asText()).contains("interlock overridden").contains("field engineer replaced the fuse");

        // OFF is never interlocked.
        accepted(relay("admin", meter, "{\"relay\":\"OFF\",\"reason\":\"switch back off\"}"), "PENDING");
    }

    @Test
    void relayOn_withAnOpenTamperAlarm_isRefused_andOnceTheAlarmIsGoneItIsSent() throws Exception {
        String meter = "IMS-LOCK-02";
        online(meter);
        meterSide.meter(meter);
        StoreSeed.store(db, List.of(StoreSeed.reading(meter, 3, Instant.now(), 40.0)));
        Mono.from(db.getCollection(ALARMS).insertOne(new Document(ID, "TAMPER/" + meter).append("kind", "TAMPER").append(METER_ID, meter))).block();

        HttpResponse<String> refused = relay("admin", meter, "{\"relay\":\"ON\",\"reason\":\"restore supply\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        JsonNode interlock = Json.mapper().readTree(refused.body()).get("interlock");
        assertThat(interlock.get("alarmId").asText()).isEqualTo("TAMPER/" + meter);
        assertThat(interlock.get("fault").isNull()).isTrue();
        // Another meter's tamper alarm does not lock this one; this one's is read by its exact _id.
        Mono.from(db.getCollection(ALARMS).deleteOne(Filters.eq(ID, "TAMPER/" + meter))).block();
        Mono.from(db.getCollection(ALARMS).insertOne(new Document(ID, "TAMPER/" + meter + "-X"))).block();
        accepted(relay("admin", meter, "{\"relay\":\"ON\",\"reason\":\"seal checked\"}"), "PENDING");
    }

    // ---- do not disconnect --------------------------------------------------------------------------------------

    @Test
    void offForAFlaggedMeter_waitsForApproval_theRequesterCannotApprove_anotherStaffMemberDoes_andItIsSent() throws Exception {
        String meter = "IMS-DND-01";
        online(meter);
        meterSide.meter(meter);
        flag("admin", meter, "home dialysis patient");
        // The ingest's writes to the meter document leave the flag alone.
        StoreSeed.store(db, List.of(StoreSeed.reading(meter, 11, Instant.now(), 99.0)));
        JsonNode shown = get("bob", "/api/v1/meters/" + meter);
        assertThat(shown.get("doNotDisconnect").get("reason").asText()).isEqualTo("home dialysis patient");
        assertThat(shown.get("doNotDisconnect").get("by").asText()).isEqualTo("admin");

        HttpResponse<String> r = relay("carol", meter, "{\"relay\":\"OFF\",\"reason\":\"unpaid since March\"}");
        String id = accepted(r, "AWAITING_APPROVAL");
        Instant until = Instant.parse(Json.mapper().readTree(r.body()).get("expiresAt").asText());
        assertThat(Duration.between(Instant.now(), until)).isBetween(Duration.ofHours(23), CommandOptions.DEFAULT_APPROVAL_VALIDITY);
        assertThat(get("admin", "/api/v1/commands?state=AWAITING_APPROVAL")).extracting(c -> c.get("commandId").asText()).contains(id);
        Thread.sleep(300); // nothing must reach the meter meanwhile (a short look; the state says it too)
        assertThat(commandsPublishedTo(meter)).isEmpty();

        HttpResponse<String> own = post("carol", "/api/v1/commands/" + id + "/approve", "{\"note\":\"my own\"}");
        assertThat(own.statusCode()).as(own.body()).isEqualTo(403);
        assertThat(get("admin", "/api/v1/commands/" + id).get("state").asText()).isEqualTo("AWAITING_APPROVAL");

        HttpResponse<String> approved = post("bob", "/api/v1/commands/" + id + "/approve", "{\"note\":\"checked with the hospital\"}");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        JsonNode c = Json.mapper().readTree(approved.body());
        assertThat(c.get("state").asText()).isEqualTo("PENDING");
        assertThat(c.get("approval").get("decision").asText()).isEqualTo("APPROVED");
        assertThat(c.get("approval").get("by").asText()).isEqualTo("bob");
        assertThat(c.get("approval").get("flag").get("reason").asText()).isEqualTo("home dialysis patient");
        assertThat(c.get("history")).extracting(h -> h.get("state").asText() + "/" + h.get("by").asText())
                .containsExactly("AWAITING_APPROVAL/carol", "PENDING/bob");
        RelayCommand sent = awaitCommand(meter, id);
        assertThat(sent.relay()).isEqualTo(RelayState.OFF);
        assertThat(CommandService.wireCommand(command(id)).encode()).isEqualTo(sent.encode());

        HttpResponse<String> again = post("admin", "/api/v1/commands/" + id + "/approve", null);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
    }

    @Test
    void aRejectedOrExpiredApproval_isNeverSent_andTheRequesterMayWithdrawTheirs() throws Exception {
        String meter = "IMS-DND-02";
        online(meter);
        meterSide.meter(meter);
        flag("admin", meter, "priority customer: care home");

        String rejected = accepted(relay("carol", meter, "{\"relay\":\"OFF\",\"reason\":\"maintenance on the line\"}"), "AWAITING_APPROVAL");
        HttpResponse<String> r = post("bob", "/api/v1/commands/" + rejected + "/reject", "{\"note\":\"not during the heat wave\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(r.body()).get("state").asText()).isEqualTo("REJECTED");
        assertThat(post("admin", "/api/v1/commands/" + rejected + "/approve", null).statusCode()).isEqualTo(409);

        String withdrawn = accepted(relay("carol", meter, "{\"relay\":\"OFF\",\"reason\":\"second try\"}"), "AWAITING_APPROVAL");
        HttpResponse<String> w = post("carol", "/api/v1/commands/" + withdrawn + "/reject", null);
        assertThat(w.statusCode()).as(w.body()).isEqualTo(200);
        assertThat(command(withdrawn).getList(HISTORY, Document.class).get(1).getString(DETAIL)).contains("withdrawn by its requester carol");

        String expired = accepted(relay("carol", meter, "{\"relay\":\"OFF\",\"reason\":\"third try\"}"), "AWAITING_APPROVAL");
        Mono.from(db.getCollection(COMMANDS).updateOne(Filters.eq(ID, expired), Updates.set(EXPIRES_AT, Date.from(Instant.now().minusSeconds(1))))).block();
        HttpResponse<String> late = post("bob", "/api/v1/commands/" + expired + "/approve", null);
        assertThat(late.statusCode()).as(late.body()).isEqualTo(409);
        // Expired either by this approval attempt or, a moment before it, by the portal's delivery sweep: both say so.
        assertThat(late.body()).containsIgnoringCase("expired");
        assertThat(command(expired).getString(STATE)).isEqualTo("EXPIRED");

        Thread.sleep(300);
        assertThat(commandsPublishedTo(meter)).isEmpty();
        assertThat(post("bob", "/api/v1/commands/00000000-0000-0000-0000-000000000000/approve", null).statusCode()).isEqualTo(404);
    }

    @Test
    void clearingTheFlag_letsOffGoAtOnce_andBothChangesAreLoggedOnTheMeter() throws Exception {
        String meter = "IMS-DND-03";
        online(meter);
        meterSide.meter(meter);
        flag("admin", meter, "life support at home");
        HttpResponse<String> bad = send("bob", "DELETE", "/api/v1/meters/" + meter + "/do-not-disconnect", "{\"reason\":\"\"}");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        HttpResponse<String> cleared = send("bob", "DELETE", "/api/v1/meters/" + meter + "/do-not-disconnect", "{\"reason\":\"customer moved out\"}");
        assertThat(cleared.statusCode()).as(cleared.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(cleared.body()).get("doNotDisconnect").isNull()).isTrue();
        assertThat(get("bob", "/api/v1/meters/" + meter).has("doNotDisconnect")).isFalse();
        assertThat(meterDoc(meter).getList(DO_NOT_DISCONNECT_LOG, Document.class)).extracting(l -> l.getString(ACTION) + " " + l.getString(BY))
                .containsExactly("SET admin", "CLEARED bob");
        accepted(relay("carol", meter, "{\"relay\":\"OFF\",\"reason\":\"empty flat\"}"), "PENDING");
    }

    // ---- bulk ---------------------------------------------------------------------------------------------------

    @Test
    void bulk_isReleasedAtTheRateLimit_eachMeterDecidedByTheSameRules() throws Exception {
        List<String> meters = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            String m = "IMS-BULK-A" + i;
            online(m);
            meterSide.meter(m);
            meters.add(m);
        }
        flag("admin", "IMS-BULK-A10", "ventilator at home");
        List<String> named = new ArrayList<>(meters);
        named.add("IMS-BULK-A1"); // sent once
        named.add("IMS-NO-SUCH-METER");
        String body = Json.mapper().writeValueAsString(Map.of("meterIds", named, "relay", "OFF", "reason", "substation fire: field incident 4711"));
        HttpResponse<String> r = post("admin", "/api/v1/commands/bulk", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode bulk = Json.mapper().readTree(r.body());
        String bulkId = bulk.get("bulkId").asText();
        assertThat(r.headers().firstValue("Location")).contains("/api/v1/commands/bulk/" + bulkId);
        assertThat(bulk.get("total").asInt()).isEqualTo(9);
        assertThat(bulk.get("awaitingApproval").asInt()).isEqualTo(1);
        assertThat(bulk.get("refused")).extracting(x -> x.get("meterId").asText()).containsExactly("IMS-NO-SUCH-METER");

        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(get("admin", "/api/v1/commands/bulk/" + bulkId).get("state").asText()));
        JsonNode done = get("admin", "/api/v1/commands/bulk/" + bulkId);
        assertThat(done.get("released").asInt()).isEqualTo(9);
        assertThat(done.get("counts").get("PENDING").asInt()).isEqualTo(9);
        assertThat(done.get("counts").get("AWAITING_APPROVAL").asInt()).isEqualTo(1);
        List<Instant> sentAt = new ArrayList<>();
        done.get("commands").forEach(c -> {
            if (!c.get("sentAt").isNull()) {
                sentAt.add(Instant.parse(c.get("sentAt").asText()));
            }
        });
        assertThat(sentAt).hasSize(9);
        // 9 commands at 4 a second take at least three ticks: the first and the last lie two ticks apart at least.
        assertThat(Duration.between(sentAt.stream().min(Instant::compareTo).get(), sentAt.stream().max(Instant::compareTo).get()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.subList(0, 9).stream().allMatch(m -> !commandsPublishedTo(m).isEmpty()));
        assertThat(commandsPublishedTo("IMS-BULK-A10")).isEmpty();
        Document one = Mono.from(db.getCollection(COMMANDS).find(Filters.and(Filters.eq(METER_ID, "IMS-BULK-A3"), Filters.eq(BULK_ID, bulkId))).first()).block();
        assertThat(one.getList(HISTORY, Document.class)).extracting(h -> h.getString(STATE)).containsExactly("HELD", "PENDING");
        assertThat(one.getString(REASON)).isEqualTo("substation fire: field incident 4711");
    }

    @Test
    void bulk_ofAnInterlockedOn_refusesThoseMeters_unlessOverridden() throws Exception {
        String faulty = "IMS-BULK-B1";
        String fine = "IMS-BULK-B2";
        for (String m : List.of(faulty, fine)) {
            online(m);
            meterSide.meter(m);
        }
        StoreSeed.store(db, List.of(Reading.of(faulty, 5, Instant.now(), 1.0, null, null, null, FaultCode.REVERSE_FLOW, RelayState.OFF)));
        JsonNode plain = bulk("admin", "{\"meterIds\":[\"" + faulty + "\",\"" + fine + "\"],\"relay\":\"ON\",\"reason\":\"incident over\"}");
        assertThat(plain.get("total").asInt()).isEqualTo(1);
        assertThat(plain.get("refused").get(0).get("meterId").asText()).isEqualTo(faulty);
        assertThat(plain.get("refused").get(0).get("interlock").get("fault").get("code").asText()).isEqualTo("REVERSE_FLOW");
        JsonNode overridden = bulk("admin", "{\"meterIds\":[\"" + faulty
                + "\"],\"relay\":\"ON\",\"reason\":\"incident over\",\"override\":{\"reason\":\"inverter disconnected on site\"}}");
        assertThat(overridden.get("refused")).isEmpty();
        String id = overridden.get("commands").get(0).get("commandId").asText();
        await().atMost(Duration.ofSeconds(15)).until(() -> "PENDING".equals(command(id).getString(STATE)));
        assertThat(command(id).get(OVERRIDE, Document.class).getString(REASON)).isEqualTo("inverter disconnected on site");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "{\"meterIds\":[],\"relay\":\"OFF\",\"reason\":\"nothing\"}",
            "{\"meterIds\":[\"IMS-BULK-A1\",\"../etc\"],\"relay\":\"OFF\",\"reason\":\"bad id\"}",
            "{\"meterIds\":[\"IMS-BULK-A1\"],\"relay\":\"off\",\"reason\":\"lower case\"}",
            "{\"meterIds\":[\"IMS-BULK-A1\"],\"relay\":\"OFF\"}",
            "{\"meterIds\":[\"IMS-BULK-A1\"],\"relay\":\"ON\",\"reason\":\"fine\",\"override\":{\"reason\":1}}",
            "[\"IMS-BULK-A1\"]"})
    void badBulkBodies_are400_andStoreNothing(String body) throws Exception {
        long before = Mono.from(db.getCollection(BULKS).countDocuments()).block();
        HttpResponse<String> r = post("bob", "/api/v1/commands/bulk", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Mono.from(db.getCollection(BULKS).countDocuments()).block()).isEqualTo(before);
    }

    @Test
    void aThirdRunningBulk_ofOneStaffMember_is429_andTheRestIsStaffOnly() throws Exception {
        List<String> meters = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            String m = "IMS-BULK-C" + i;
            online(m);
            meters.add(m);
        }
        String body = Json.mapper().writeValueAsString(Map.of("meterIds", meters, "relay", "OFF", "reason", "planned works"));
        assertThat(post("carol", "/api/v1/commands/bulk", body).statusCode()).isEqualTo(202);
        assertThat(post("carol", "/api/v1/commands/bulk", body).statusCode()).isEqualTo(202);
        HttpResponse<String> third = post("carol", "/api/v1/commands/bulk", body);
        assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        // Another staff member is not limited by carol's bulks.
        assertThat(post("bob", "/api/v1/commands/bulk", Json.mapper().writeValueAsString(Map.of("meterIds", List.of("IMS-BULK-C1"),
                "relay", "OFF", "reason", "one more"))).statusCode()).isEqualTo(202);
    }

    /** A clock the test moves by hand. */
    static final class HandClock extends java.time.Clock {
        volatile Instant now = Instant.now();

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /**
     * The release step with its timer left out (the test is the timer): each step releases the rate times the tick, fractions
     * carried over; a bulk whose releaser stopped shows what it did not release.
     */
    @Test
    void eachReleaseStep_releasesTheRateTimesTheTick_andABulkWhoseReleaserStoppedShowsWhatWasNotReleased() throws Exception {
        HandClock clock = new HandClock();
        ImsSettings ims = ImsSettings.load(Map.of("IMS_DATA_DIR", dataDir.toString()), Map.of()).withMqttUrl(broker.url())
                .withMqttCredential(ids.portal("ims-portal-steps"));
        dev.ims.portal.command.CommandPublisher publisher = new dev.ims.portal.command.CommandPublisher(ims, ims.mqttEndpoint().orElseThrow()).connect();
        try {
            CommandService commands = new CommandService(db, publisher,
                    dev.ims.portal.command.SigningKeys.loadOrCreate(CommandKeys.defaultSigningKeyFile(dataDir)), CommandService.DEFAULT_VALIDITY, clock);
            dev.ims.portal.command.RelayOperations ops = new dev.ims.portal.command.RelayOperations(db, commands, Duration.ofHours(24));
            // 3 a second, released every half second: 1.5 a step, i.e. 1, 2, 1, 2 ...
            dev.ims.portal.command.BulkCommands steps = new dev.ims.portal.command.BulkCommands(db, ops,
                    CommandOptions.DEFAULTS.withBulkPerSecond(3).withReleaseTick(Duration.ofMillis(500)));
            List<String> meters = new ArrayList<>();
            for (int i = 1; i <= 7; i++) {
                meters.add("IMS-STEP-" + i);
                online("IMS-STEP-" + i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> publisher.publish("IMS-STEP-1", new RelayCommand("probe", RelayState.ON, Instant.now()))
                    .handle((v, e) -> e == null).join());
            Map<String, Object> bulk = steps.submit(new dev.ims.portal.command.BulkCommands.Request(meters, RelayState.OFF, "feeder works",
                    null, CommandService.DEFAULT_QUEUE_VALIDITY), "dave").toCompletionStage().toCompletableFuture().get();
            String bulkId = (String) bulk.get("bulkId");
            assertThat(bulk.get("total")).isEqualTo(7);
            assertThat(heldOf(bulkId)).isEqualTo(7);
            List<Integer> perStep = new ArrayList<>();
            List<Long> heldAfter = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                perStep.add(steps.tick().toCompletionStage().toCompletableFuture().get());
                heldAfter.add(heldOf(bulkId));
            }
            assertThat(perStep).containsExactly(1, 2, 1, 2, 1, 0);
            assertThat(heldAfter).containsExactly(6L, 4L, 3L, 1L, 0L, 0L);
            Map<String, Object> done = steps.view(bulkId).toCompletionStage().toCompletableFuture().get();
            assertThat(done.get("state")).isEqualTo("DONE");
            assertThat(done.get("released")).isEqualTo(7);

            // A second bulk: two steps, then its releaser stops (the portal went down); nothing resumes it.
            Map<String, Object> cut = steps.submit(new dev.ims.portal.command.BulkCommands.Request(meters, RelayState.ON, "feeder back",
                    null, CommandService.DEFAULT_QUEUE_VALIDITY), "dave").toCompletionStage().toCompletableFuture().get();
            String cutId = (String) cut.get("bulkId");
            steps.tick().toCompletionStage().toCompletableFuture().get();
            steps.tick().toCompletionStage().toCompletableFuture().get();
            assertThat(steps.view(cutId).toCompletionStage().toCompletableFuture().get().get("state")).isEqualTo("RUNNING");
            clock.now = clock.now.plusSeconds(60);
            Map<String, Object> interrupted = steps.view(cutId).toCompletionStage().toCompletableFuture().get();
            assertThat(interrupted.get("state")).isEqualTo("INTERRUPTED");
            assertThat(interrupted.get("released")).isEqualTo(3);
            assertThat(interrupted.get("notReleased")).isEqualTo(4L);
            assertThat(heldOf(cutId)).isEqualTo(4);
            // The API shows the same (staff only).
            JsonNode api = get("bob", "/api/v1/commands/bulk/" + cutId);
            assertThat(api.get("counts").get("HELD").asInt()).isEqualTo(4);

            // The sweep's expiry of approvals past their deadline (the portal runs it with its delivery sweep).
            online("IMS-STEP-DND");
            flag("admin", "IMS-STEP-DND", "insulin fridge");
            String waiting = accepted(relay("carol", "IMS-STEP-DND", "{\"relay\":\"OFF\",\"reason\":\"closing the account\"}"), "AWAITING_APPROVAL");
            ops.expireApprovals().toCompletionStage().toCompletableFuture().get();
            assertThat(command(waiting).getString(STATE)).as("within its deadline").isEqualTo("AWAITING_APPROVAL");
            clock.now = Instant.now().plus(Duration.ofHours(25));
            // (Other tests' approvals still waiting expire with it.)
            assertThat(ops.expireApprovals().toCompletionStage().toCompletableFuture().get()).isGreaterThanOrEqualTo(1);
            assertThat(command(waiting).getString(STATE)).isEqualTo("EXPIRED");
            assertThat(command(waiting).getList(HISTORY, Document.class)).extracting(h -> h.getString(STATE))
                    .containsExactly("AWAITING_APPROVAL", "EXPIRED");
        } finally {
            publisher.close();
        }
    }

    /** The largest bulk: 1000 meters accepted in one request, then released at the default 20 a second, step by step. */
    @Test
    void aBulkOfAThousandMeters_isAcceptedWhole_andReleasedTwentyAStep() throws Exception {
        List<Document> docs = new ArrayList<>();
        List<String> meters = new ArrayList<>();
        for (int i = 0; i < CommandOptions.MAX_BULK_METERS; i++) {
            String m = "IMS-K-" + i;
            meters.add(m);
            docs.add(new Document(ID, m).append(CONNECTION_LAST, new Document(TS, new Date()).append(STATE, i % 10 == 0 ? "OFFLINE" : "ONLINE")));
        }
        Mono.from(db.getCollection(METERS).insertMany(docs)).block();
        ImsSettings ims = ImsSettings.load(Map.of("IMS_DATA_DIR", dataDir.toString()), Map.of()).withMqttUrl(broker.url())
                .withMqttCredential(ids.portal("ims-portal-thousand"));
        dev.ims.portal.command.CommandPublisher publisher = new dev.ims.portal.command.CommandPublisher(ims, ims.mqttEndpoint().orElseThrow()).connect();
        try {
            CommandService commands = new CommandService(db, publisher,
                    dev.ims.portal.command.SigningKeys.loadOrCreate(CommandKeys.defaultSigningKeyFile(dataDir)), CommandService.DEFAULT_VALIDITY,
                    java.time.Clock.systemUTC());
            dev.ims.portal.command.BulkCommands steps = new dev.ims.portal.command.BulkCommands(db,
                    new dev.ims.portal.command.RelayOperations(db, commands, Duration.ofHours(24)), CommandOptions.DEFAULTS);
            await().atMost(Duration.ofSeconds(10)).until(() -> publisher.publish("IMS-K-1", new RelayCommand("probe", RelayState.ON, Instant.now()))
                    .handle((v, e) -> e == null).join());
            long t0 = System.nanoTime();
            Map<String, Object> bulk = steps.submit(new dev.ims.portal.command.BulkCommands.Request(meters, RelayState.OFF, "regional blackout drill",
                    null, CommandService.DEFAULT_QUEUE_VALIDITY), "erin").toCompletionStage().toCompletableFuture().get();
            long acceptMs = (System.nanoTime() - t0) / 1_000_000;
            String bulkId = (String) bulk.get("bulkId");
            assertThat(bulk.get("total")).isEqualTo(1000);
            assertThat((List<?>) bulk.get("commands")).hasSize(1000);
            assertThat(steps.tick().toCompletionStage().toCompletableFuture().get()).isEqualTo(20);
            assertThat(steps.tick().toCompletionStage().toCompletableFuture().get()).isEqualTo(20);
            assertThat(heldOf(bulkId)).isEqualTo(960);
            // In request order: the first 40 meters' commands left HELD, each PENDING, or QUEUED for the offline ones.
            Map<String, Object> view = steps.view(bulkId).toCompletionStage().toCompletableFuture().get();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> each = (List<Map<String, Object>>) view.get("commands");
            assertThat(each.subList(0, 40)).extracting(c -> c.get("state")).doesNotContain("HELD");
            assertThat(each.subList(0, 40)).filteredOn(c -> "QUEUED".equals(c.get("state"))).hasSize(4);
            assertThat(each.subList(40, 1000)).extracting(c -> c.get("state")).containsOnly("HELD");
            org.slf4j.LoggerFactory.getLogger(RelayOperationsIT.class).info("A bulk of 1000 meters accepted in {} ms", acceptMs);
        } finally {
            publisher.close();
        }
    }

    static long heldOf(String bulkId) {
        return Mono.from(db.getCollection(COMMANDS).countDocuments(Filters.and(Filters.eq(BULK_ID, bulkId), Filters.eq(STATE, "HELD")))).block();
    }

    // ---- pages --------------------------------------------------------------------------------------------------

    /**
     * Chromium: a staff member opens the meter page of a meter with an open tamper alarm, meets the interlock (no plain ON
     * button, the cause named) and overrides it with a reason; the command goes out with the override in its audit trail.
     */
    @Test
    void chromium_staffMeetTheInterlockOnTheMeterPage_andOverrideItWithAReason() throws Exception {
        java.nio.file.Path chromium = java.nio.file.Path.of("/usr/bin/chromium");
        java.nio.file.Path driver = java.nio.file.Path.of("/usr/bin/chromedriver");
        boolean installed = java.nio.file.Files.isExecutable(chromium) && java.nio.file.Files.isExecutable(driver);
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but " + chromium + " or " + driver + " is missing");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(installed, "no Chromium here");
        String meter = "IMS-LOCK-WEB";
        online(meter);
        meterSide.meter(meter);
        StoreSeed.store(db, List.of(StoreSeed.reading(meter, 2, Instant.now(), 5.0)));
        Mono.from(db.getCollection(ALARMS).insertOne(new Document(ID, "TAMPER/" + meter).append(METER_ID, meter))).block();

        org.openqa.selenium.chrome.ChromeOptions options = new org.openqa.selenium.chrome.ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--window-size=1280,900");
        org.openqa.selenium.WebDriver browser = new org.openqa.selenium.chrome.ChromeDriver(
                new org.openqa.selenium.chrome.ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build(), options);
        try {
            browser.get("http://127.0.0.1:" + port + "/login?next=/meters/" + meter);
            browser.findElement(org.openqa.selenium.By.id("username")).sendKeys("bob");
            browser.findElement(org.openqa.selenium.By.id("password")).sendKeys(PortalIT.ADMIN_PASSWORD);
            browser.findElement(org.openqa.selenium.By.id("login")).click();
            new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().contains("/meters/" + meter));
            assertThat(browser.findElement(org.openqa.selenium.By.id("relay-interlock")).getText()).contains("Interlock").contains("TAMPER/" + meter);
            assertThat(browser.findElements(org.openqa.selenium.By.id("relay-on"))).as("no plain ON while interlocked").isEmpty();
            browser.findElement(org.openqa.selenium.By.id("override-reason")).sendKeys("seal replaced by the field team, photo in ticket 88");
            browser.findElement(org.openqa.selenium.By.id("override-relay-reason")).sendKeys("supply back after inspection");
            browser.findElement(org.openqa.selenium.By.id("relay-on-override")).click();
            new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/meters/" + meter + "#relay")
                    && !d.findElements(org.openqa.selenium.By.cssSelector("#relay-commands small.override")).isEmpty());
            assertThat(browser.findElement(org.openqa.selenium.By.cssSelector("#relay-commands small.override")).getText())
                    .contains("interlock overridden by bob").contains("seal replaced");
        } finally {
            browser.quit();
        }
        Document c = Mono.from(db.getCollection(COMMANDS).find(Filters.eq(METER_ID, meter)).first()).block();
        assertThat(c.getString(RELAY)).isEqualTo("ON");
        assertThat(c.get(OVERRIDE, Document.class).getString(BY)).isEqualTo("bob");
        assertThat(c.get(OVERRIDE, Document.class).get(INTERLOCK, Document.class).getString(ALARM_ID)).isEqualTo("TAMPER/" + meter);
        awaitCommand(meter, c.getString(ID));
    }

    /** The forms without script: flag a meter, a bulk from /staff/bulk, its progress page, an approval from the list. */
    @Test
    void forms_flagAMeter_sendABulk_followItsProgress_andApproveFromTheList() throws Exception {
        String flagged = "IMS-FORM-1";
        String plain = "IMS-FORM-2";
        for (String m : List.of(flagged, plain)) {
            online(m);
            meterSide.meter(m);
        }
        FormClient carol = FormClient.login("carol");
        FormClient bob = FormClient.login("bob");
        HttpResponse<String> f = carol.postForm("/meters/" + flagged, "/meters/" + flagged + "/do-not-disconnect",
                Map.of("action", "set", "reason", "oxygen concentrator"));
        assertThat(f.statusCode()).as(f.body()).isEqualTo(303);
        String page = carol.get("/meters/" + flagged).body();
        assertThat(page).contains("id=\"relay-dnd\"").contains("oxygen concentrator").contains("Ask to switch supply OFF");

        HttpResponse<String> sent = carol.postForm("/staff/bulk", "/staff/bulk", Map.of("meterIds", flagged + "\n" + plain + "\n" + plain,
                "relay", "OFF", "reason", "storm damage, lines down"));
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(303);
        String result = sent.headers().firstValue("Location").orElseThrow();
        assertThat(result).matches("/staff/bulk/[0-9a-f-]{36}");
        await().atMost(Duration.ofSeconds(15)).until(() -> carol.get(result).body().contains("<span id=\"bulk-state\">DONE</span>"));
        String progress = carol.get(result).body();
        assertThat(progress).contains("<span id=\"bulk-released\">1</span> of <span id=\"bulk-total\">1</span>").contains("1 wait for approval");

        String list = bob.get("/staff/bulk").body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("action=\"/staff/commands/([0-9a-f-]{36})/approve\"").matcher(list);
        assertThat(m.find()).as("an approve form on /staff/bulk").isTrue();
        String id = m.group(1);
        assertThat(command(id).getString(METER_ID)).isEqualTo(flagged);
        assertThat(carol.get("/staff/bulk").body()).as("the requester may only withdraw").doesNotContain("/staff/commands/" + id + "/approve");
        HttpResponse<String> approved = bob.postForm("/staff/bulk", "/staff/commands/" + id + "/approve", Map.of("note", "confirmed by phone",
                "back", "/staff/bulk"));
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(303);
        assertThat(approved.headers().firstValue("Location")).contains("/staff/bulk#approvals");
        assertThat(command(id).getString(STATE)).isEqualTo("PENDING");
        awaitCommand(flagged, id);
    }

    /** A cookie-keeping client that signs in through the log-in form and fills in forms with their CSRF field. */
    static final class FormClient {
        private static final java.util.regex.Pattern CSRF = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]*)\"");
        final java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();

        static FormClient login(String user) throws Exception {
            FormClient c = new FormClient();
            HttpResponse<String> r = c.postForm("/login", "/login", Map.of("username", user, "password", PortalIT.ADMIN_PASSWORD, "next", "/"));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
            return c;
        }

        HttpResponse<String> get(String path) throws Exception {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            return r;
        }

        HttpResponse<String> postForm(String page, String action, Map<String, String> fields) throws Exception {
            java.util.regex.Matcher m = CSRF.matcher(get(page).body());
            assertThat(m.find()).as("a csrf field on " + page).isTrue();
            Map<String, String> all = new java.util.LinkedHashMap<>(fields);
            all.put("csrf", m.group(1));
            String form = all.entrySet().stream().map(e -> e.getKey() + "=" + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8))
                    .collect(java.util.stream.Collectors.joining("&"));
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + action))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static void online(String meter) {
        StoreSeed.meter(db, new Document(ID, meter).append(CONNECTION_LAST, new Document(TS, new Date()).append(STATE, "ONLINE"))
                .append(LAST_SEEN, new Date()));
    }

    static void flag(String staff, String meter, String reason) throws Exception {
        HttpResponse<String> r = send(staff, "PUT", "/api/v1/meters/" + meter + "/do-not-disconnect",
                Json.mapper().writeValueAsString(Map.of("reason", reason)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(r.body()).get("doNotDisconnect").get("by").asText()).isEqualTo(staff);
    }

    static Document meterDoc(String meter) {
        return Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block();
    }

    static Document command(String id) {
        return Mono.from(db.getCollection(COMMANDS).find(Filters.eq(ID, id)).first()).block();
    }

    static long commandsOf(String meter) {
        return Mono.from(db.getCollection(COMMANDS).countDocuments(Filters.eq(METER_ID, meter))).block();
    }

    static List<RelayCommand> commandsPublishedTo(String meter) {
        return published.stream().filter(e -> e.getKey().equals("meters/" + meter + "/command")).map(e -> RelayCommand.decode(e.getValue())).toList();
    }

    static RelayCommand awaitCommand(String meter, String id) {
        await().atMost(Duration.ofSeconds(10)).until(() -> commandsPublishedTo(meter).stream().anyMatch(c -> c.commandId().equals(id)));
        return commandsPublishedTo(meter).stream().filter(c -> c.commandId().equals(id)).findFirst().orElseThrow();
    }

    static JsonNode bulk(String staff, String json) throws Exception {
        HttpResponse<String> r = post(staff, "/api/v1/commands/bulk", json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return Json.mapper().readTree(r.body());
    }

    static String accepted(HttpResponse<String> r, String state) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.get("state").asText()).isEqualTo(state);
        return body.get("commandId").asText();
    }

    static HttpResponse<String> relay(String staff, String meter, String json) throws Exception {
        return post(staff, "/api/v1/meters/" + meter + "/relay", json);
    }

    static HttpResponse<String> post(String staff, String path, String json) throws Exception {
        return send(staff, "POST", path, json);
    }

    static HttpResponse<String> send(String staff, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer " + tokens.get(staff))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return PortalIT.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode get(String staff, String path) throws Exception {
        HttpResponse<String> r = send(staff, "GET", path, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    static String login(String user) throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + PortalIT.ADMIN_PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body()).get("token").asText();
    }
}
