package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.json.Json;
import dev.ims.portal.AccountsIT.Browser;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Staff decisions on quarantined readings over real HTTP, on documents seeded as the ingest writes them. */
class QuarantineIT {

    static final String METER = "q-meter-1";
    static final String OTHER_METER = "q-meter-2";
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    ObjectId older;
    ObjectId newer;
    ObjectId plainRejected;
    ObjectId otherMeters;
    String consumer;

    @BeforeEach
    void seed() throws Exception {
        PortalIT.start();
        for (String c : List.of(REJECTED, QUARANTINE_ACTIONS)) {
            Mono.from(PortalIT.db.getCollection(c).drop()).block();
        }
        for (String m : List.of(METER, OTHER_METER)) {
            Mono.from(PortalIT.db.getCollection(METERS).deleteOne(new Document(ID, m))).block();
        }
        consumer = PortalIT.login(Browser.signUp("q-" + UUID.randomUUID().toString().substring(0, 8)).username, Browser.PASSWORD);
        PortalIT.insert(METERS, new Document(ID, METER).append(CONNECTION, "ONLINE").append(LAST_SEQ, 100L));
        PortalIT.insert(METERS, new Document(ID, OTHER_METER).append(CONNECTION, "ONLINE"));
        older = quarantined(METER, 120, "SEQ_JUMP", "seq 120 after 100: 19 readings missing", T0);
        newer = quarantined(METER, 121, "IMPLAUSIBLE_CONSUMPTION", "40 kWh in 15 minutes", T0.plusSeconds(60));
        otherMeters = quarantined(OTHER_METER, 7, "REGISTER_BACKWARDS", "register 10.0 after 12.0", T0);
        plainRejected = new ObjectId();
        PortalIT.insert(REJECTED, new Document(ID, plainRejected).append(METER_ID, METER).append(TOPIC, "meters/" + METER + "/reading")
                .append(PAYLOAD, "{not json").append(REASON, "MALFORMED_JSON").append(RECEIVED_AT, Date.from(T0.plusSeconds(120))));
    }

    /** A quarantined reading exactly as StoreSchema#QUARANTINE describes it. */
    static ObjectId quarantined(String meter, long seq, String reason, String detail, Instant received) {
        ObjectId id = new ObjectId();
        Document reading = new Document(METER_ID, meter).append(SEQ, seq).append(TS, Date.from(received.minusSeconds(5)))
                .append(ENERGY_KWH, 1523.482 + seq).append(POWER_W, 812.5).append(VOLTAGE_V, 231.2).append(CURRENT_A, 3.51)
                .append(STATUS, "OK").append(FAULT, null).append(RELAY, "ON");
        PortalIT.insert(REJECTED, new Document(ID, id).append(METER_ID, meter).append(QUARANTINE, QUARANTINE_OPEN).append(READING, reading)
                .append(TOPIC, "meters/" + meter + "/reading").append(PAYLOAD, "{\"seq\":" + seq + "}").append(REASON, reason)
                .append(DETAIL, detail).append(RECEIVED_AT, Date.from(received)));
        return id;
    }

    @Test
    void staff_listsAMetersQuarantinedReadings_newestFirst_withReadingAndState() throws Exception {
        JsonNode list = Json.mapper().readTree(PortalIT.getText("/api/v1/meters/" + METER + "/quarantine", 200, PortalIT.staffToken));
        assertThat(list).extracting(n -> n.get("id").asText()).containsExactly(newer.toHexString(), older.toHexString());
        JsonNode first = list.get(0);
        assertThat(first.get("state").asText()).isEqualTo("OPEN");
        assertThat(first.get("reason").asText()).isEqualTo("IMPLAUSIBLE_CONSUMPTION");
        assertThat(first.get("detail").asText()).isEqualTo("40 kWh in 15 minutes");
        assertThat(first.get("receivedAt").asText()).isEqualTo("2026-11-24T10:01:00Z");
        assertThat(first.get("reading").get("seq").asLong()).isEqualTo(121);
        assertThat(first.get("reading").get("ts").asText()).isEqualTo("2026-11-24T10:00:55Z");
        assertThat(first.get("decision").isNull()).isTrue();
        assertThat(Json.mapper().readTree(PortalIT.getText("/api/v1/meters/" + METER + "/quarantine?limit=1", 200, PortalIT.staffToken))).hasSize(1);
        PortalIT.getText("/api/v1/meters/no-such-meter/quarantine", 404, PortalIT.staffToken);
        PortalIT.getText("/api/v1/meters/" + METER + "/quarantine?limit=0", 400, PortalIT.staffToken);
    }

    @Test
    void accept_movesOpenToAccepting_recordsTheDecision_andInsertsTheActionForTheIngest() throws Exception {
        HttpResponse<String> r = PortalIT.post("/api/v1/rejected/" + newer.toHexString() + "/accept", "{\"reason\":\"meter was swapped\"}",
                PortalIT.staffToken);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode view = Json.mapper().readTree(r.body());
        assertThat(view.get("state").asText()).isEqualTo("ACCEPTING");
        assertThat(view.get("decision").get("action").asText()).isEqualTo("ACCEPT");
        assertThat(view.get("decision").get("by").asText()).isEqualTo("admin");
        assertThat(view.get("decision").get("reason").asText()).isEqualTo("meter was swapped");

        Document stored = Mono.from(PortalIT.db.getCollection(REJECTED).find(new Document(ID, newer)).first()).block();
        assertThat(stored.getString(QUARANTINE)).isEqualTo(QUARANTINE_ACCEPTING);
        assertThat(stored.get(DECISION, Document.class).getDate(AT)).isNotNull();
        List<Document> actions = Flux.from(PortalIT.db.getCollection(QUARANTINE_ACTIONS).find()).collectList().block();
        assertThat(actions).hasSize(1);
        assertThat(actions.get(0).getObjectId(ID)).isEqualTo(newer);
        assertThat(actions.get(0).getString("by")).isEqualTo("admin");
        assertThat(actions.get(0).getString(REASON)).isEqualTo("meter was swapped");
        assertThat(actions.get(0).getDate(AT)).isNotNull();

        HttpResponse<String> again = PortalIT.post("/api/v1/rejected/" + newer.toHexString() + "/accept", "{\"reason\":\"twice\"}", PortalIT.staffToken);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("no longer open").contains("ACCEPTING");
        assertThat(PortalIT.post("/api/v1/rejected/" + newer.toHexString() + "/discard", "{\"reason\":\"changed my mind\"}", PortalIT.staffToken)
                .statusCode()).isEqualTo(409);
        assertThat(Flux.from(PortalIT.db.getCollection(QUARANTINE_ACTIONS).find()).collectList().block()).hasSize(1);
    }

    @Test
    void discard_movesOpenToDiscarded_withoutAnAction_andASecondDecisionIs409() throws Exception {
        HttpResponse<String> r = PortalIT.post("/api/v1/rejected/" + older.toHexString() + "/discard", "{\"reason\":\"test burst from the lab\"}",
                PortalIT.staffToken);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(r.body()).get("state").asText()).isEqualTo("DISCARDED");
        assertThat(Json.mapper().readTree(r.body()).get("decision").get("action").asText()).isEqualTo("DISCARD");
        assertThat(Flux.from(PortalIT.db.getCollection(QUARANTINE_ACTIONS).find()).collectList().block()).isEmpty();
        assertThat(PortalIT.post("/api/v1/rejected/" + older.toHexString() + "/accept", "{\"reason\":\"after all\"}", PortalIT.staffToken)
                .statusCode()).isEqualTo(409);
        JsonNode list = Json.mapper().readTree(PortalIT.getText("/api/v1/meters/" + METER + "/quarantine", 200, PortalIT.staffToken));
        assertThat(list).extracting(n -> n.get("state").asText()).containsExactly("OPEN", "DISCARDED");
    }

    @Test
    void parallelDecisions_onOneReading_haveExactlyOneWinner() throws Exception {
        List<HttpResponse<String>> answers = LoginLimitsIT.parallel(10, i -> PortalIT.post("/api/v1/rejected/" + older.toHexString()
                + (i % 2 == 0 ? "/accept" : "/discard"), "{\"reason\":\"race " + i + "\"}", PortalIT.staffToken));
        assertThat(answers.stream().filter(r -> r.statusCode() == 200 || r.statusCode() == 202).count()).isEqualTo(1);
        assertThat(answers.stream().filter(r -> r.statusCode() == 409).count()).isEqualTo(9);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-id", "0123456789abcdef0123456", "zzzzzzzzzzzzzzzzzzzzzzzz", "%24where", "000000000000000000000000"})
    void malformedOrUnknownIds_are404(String id) throws Exception {
        for (String action : List.of("accept", "discard")) {
            HttpResponse<String> r = PortalIT.post("/api/v1/rejected/" + id + "/" + action, "{\"reason\":\"some reason\"}", PortalIT.staffToken);
            assertThat(r.statusCode()).as(action + " " + id + ": " + r.body()).isEqualTo(404);
            assertThat(r.body()).contains("no quarantined reading");
        }
    }

    @Test
    void aRejectedPayloadThatIsNotQuarantined_is404_andStaysAsItWas() throws Exception {
        HttpResponse<String> r = PortalIT.post("/api/v1/rejected/" + plainRejected.toHexString() + "/accept", "{\"reason\":\"some reason\"}",
                PortalIT.staffToken);
        assertThat(r.statusCode()).isEqualTo(404);
        Document d = Mono.from(PortalIT.db.getCollection(REJECTED).find(new Document(ID, plainRejected)).first()).block();
        assertThat(d.containsKey(QUARANTINE)).isFalse();
        assertThat(d.containsKey(DECISION)).isFalse();
        JsonNode rejected = Json.mapper().readTree(PortalIT.getText("/api/v1/rejected", 200, PortalIT.staffToken));
        assertThat(rejected).hasSize(4);
        assertThat(rejected.get(0).get("reason").asText()).isEqualTo("MALFORMED_JSON");
        assertThat(rejected.get(0).get("id").asText()).isEqualTo(plainRejected.toHexString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"reason\":\"\"}", "{\"reason\":\"ab\"}", "{\"reason\":12}", "{\"reason\":\"two\\nlines\"}", "[]"})
    void aDecision_needsAReason(String body) throws Exception {
        HttpResponse<String> r = PortalIT.post("/api/v1/rejected/" + older.toHexString() + "/discard", body, PortalIT.staffToken);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Mono.from(PortalIT.db.getCollection(REJECTED).find(new Document(ID, older)).first()).block().getString(QUARANTINE))
                .isEqualTo(QUARANTINE_OPEN);
    }

    @Test
    void consumers_getA403_onEveryQuarantineCall_andNothingChanges() throws Exception {
        PortalIT.getText("/api/v1/meters/" + METER + "/quarantine", 403, consumer);
        assertThat(PortalIT.post("/api/v1/rejected/" + older.toHexString() + "/accept", "{\"reason\":\"mine now\"}", consumer).statusCode()).isEqualTo(403);
        assertThat(PortalIT.post("/api/v1/rejected/" + older.toHexString() + "/discard", "{\"reason\":\"mine now\"}", consumer).statusCode()).isEqualTo(403);
        PortalIT.getText("/api/v1/meters/" + METER + "/quarantine", 401, null);
        assertThat(Mono.from(PortalIT.db.getCollection(REJECTED).find(new Document(ID, older)).first()).block().getString(QUARANTINE))
                .isEqualTo(QUARANTINE_OPEN);
    }

    @Test
    void cookieSessions_needTheCsrfHeader_forApiDecisions() throws Exception {
        Browser staff = staffBrowser();
        HttpResponse<String> r = staff.client.send(HttpRequest.newBuilder(AccountsIT.uri("/api/v1/rejected/" + older.toHexString() + "/discard"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"no csrf\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void staffMeterPage_listsOpenReadings_withForms_thatDecideAndComeBack() throws Exception {
        Browser staff = staffBrowser();
        String page = staff.get("/meters/" + METER).body();
        assertThat(page).contains("Quarantined readings").contains("id=\"q-" + older.toHexString() + "\"").contains("id=\"q-" + newer.toHexString() + "\"")
                .contains("IMPLAUSIBLE_CONSUMPTION").contains("40 kWh in 15 minutes").contains("1644.482")
                .contains("action=\"/meters/" + METER + "/quarantine/" + older.toHexString() + "/accept\"")
                .doesNotContain(otherMeters.toHexString()).doesNotContain(plainRejected.toHexString());

        HttpResponse<String> done = staff.postForm("/meters/" + METER, "/meters/" + METER + "/quarantine/" + older.toHexString() + "/discard",
                Map.of("reason", "lab test burst"));
        assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).hasValue("/meters/" + METER + "#quarantine");
        assertThat(staff.get("/meters/" + METER).body()).doesNotContain("id=\"q-" + older.toHexString() + "\"");

        HttpResponse<String> accepted = staff.postForm("/meters/" + METER, "/meters/" + METER + "/quarantine/" + newer.toHexString() + "/accept",
                Map.of("reason", "meter replaced, register reset"));
        assertThat(accepted.statusCode()).isEqualTo(303);
        assertThat(Mono.from(PortalIT.db.getCollection(QUARANTINE_ACTIONS).find(new Document(ID, newer)).first()).block()).isNotNull();
        assertThat(staff.get("/meters/" + METER).body()).contains("No quarantined readings waiting");

        HttpResponse<String> wrongMeter = staff.postForm("/meters/" + METER, "/meters/" + METER + "/quarantine/" + otherMeters.toHexString() + "/discard",
                Map.of("reason", "not this meter's"));
        assertThat(wrongMeter.statusCode()).as("a reading of another meter is not found through this meter's page").isEqualTo(404);
        HttpResponse<String> forged = staff.post("/meters/" + METER + "/quarantine/" + otherMeters.toHexString() + "/discard", Map.of("reason", "no csrf"));
        assertThat(forged.statusCode()).isEqualTo(403);
    }

    @Test
    void consumerMeterPage_neverShowsTheQuarantine() throws Exception {
        Browser owner = Browser.signUp("q-owner-" + UUID.randomUUID().toString().substring(0, 6));
        Mono.from(PortalIT.db.getCollection(METERS).updateOne(new Document(ID, METER), new Document("$set", new Document(OWNER, owner.username)))).block();
        HttpResponse<String> page = owner.get("/meters/" + METER);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).doesNotContain("Quarantined readings").doesNotContain(older.toHexString()).doesNotContain("SEQ_JUMP");
        assertThat(owner.postForm("/meters/" + METER, "/meters/" + METER + "/quarantine/" + older.toHexString() + "/accept",
                Map.of("reason", "let me in")).statusCode()).isEqualTo(403);
    }

    private static Browser staffBrowser() throws Exception {
        Browser b = new Browser();
        assertThat(b.postForm("/login", "/login", Map.of("username", "admin", "password", PortalIT.ADMIN_PASSWORD)).statusCode()).isEqualTo(303);
        return b;
    }
}
