package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.json.Json;
import dev.ims.model.reading.Reading;
import dev.ims.portal.AccountsIT.Browser;
import dev.ims.portal.alarm.AlarmStore;
import dev.ims.portal.alarm.AlarmSweeper;
import dev.ims.portal.alarm.StoreMeterStates;
import dev.ims.store.alarm.AlarmKind;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Alarm records through the API on the module's shared portal: staff acknowledge and clear (who, when, note; 403 for
 * consumers, 404 unknown, 409 already done), the sweeper raising and auto-clearing, a staff clearing while the cause
 * persists, REGISTER_ANOMALY ending with the quarantine, and ABNORMAL_CONSUMPTION on seeded day documents.
 */
class AlarmsIT {

    private static String consumer;

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        consumer = PortalIT.login(Browser.signUp("al-" + UUID.randomUUID().toString().substring(0, 8)).username, Browser.PASSWORD);
    }

    @BeforeEach
    void clean() {
        for (String c : List.of(METERS, DAILY, READINGS, REJECTED, SERVICES, COMMANDS, ALARMS, ALARM_HISTORY, ALARM_HOLDS)) {
            Mono.from(PortalIT.db.getCollection(c).drop()).block();
        }
        // A live ingest (its heartbeat dated ahead, so that it stays live through the test): no NO_INGEST in the way.
        PortalIT.insert(SERVICES, new Document(ID, "ingest-ok").append("kind", "ingest").append("broker", "UP")
                .append("heartbeat", Date.from(Instant.now().plusSeconds(600))));
    }

    private static HttpResponse<String> post(String path, String note, String token) throws Exception {
        return PortalIT.post(path, note == null ? "{}" : Json.mapper().writeValueAsString(java.util.Map.of("note", note)), token);
    }

    @Test
    void staff_acknowledgeAndClearAnAlarm_whoWhenAndNoteRecorded_andEachOnlyOnce() throws Exception {
        Instant raised = Instant.parse("2026-11-29T08:00:00Z");
        PortalIT.raise(AlarmKind.TAMPER, "m-t", raised, "reading seq 7 shows status FAULT, fault TAMPER");
        HttpResponse<String> ack = post("/api/v1/alarms/TAMPER/m-t/acknowledge", "on my way", PortalIT.staffToken);
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        JsonNode a = Json.mapper().readTree(ack.body());
        assertThat(a.get("state").asText()).isEqualTo("acknowledged");
        assertThat(a.at("/acknowledged/by").asText()).isEqualTo("admin");
        assertThat(a.at("/acknowledged/note").asText()).isEqualTo("on my way");
        assertThat(Instant.parse(a.at("/acknowledged/at").asText())).isAfter(Instant.now().minusSeconds(60));
        assertThat(post("/api/v1/alarms/TAMPER/m-t/acknowledge", null, PortalIT.staffToken).statusCode()).isEqualTo(409);
        assertThat(PortalIT.get("/api/v1/alarms?state=acknowledged", 200).findValuesAsText("id")).containsExactly("TAMPER/m-t");

        HttpResponse<String> clear = post("/api/v1/alarms/TAMPER/m-t/clear", "seal replaced", PortalIT.staffToken);
        assertThat(clear.statusCode()).as(clear.body()).isEqualTo(200);
        JsonNode c = Json.mapper().readTree(clear.body());
        String pastId = "TAMPER/m-t/" + raised.toEpochMilli();
        assertThat(c.get("id").asText()).isEqualTo(pastId);
        assertThat(c.get("state").asText()).isEqualTo("cleared");
        assertThat(c.at("/cleared/by").asText()).isEqualTo("admin");
        assertThat(c.at("/cleared/note").asText()).isEqualTo("seal replaced");
        assertThat(c.at("/acknowledged/by").asText()).isEqualTo("admin");
        PortalIT.get("/api/v1/alarms/TAMPER/m-t", 404);
        assertThat(PortalIT.get("/api/v1/" + "alarms/" + pastId, 200).at("/cleared/note").asText()).isEqualTo("seal replaced");
        assertThat(PortalIT.get("/api/v1/alarms", 200)).isEmpty();
        assertThat(PortalIT.get("/api/v1/alarms?state=cleared&kind=TAMPER&meterId=m-t", 200).findValuesAsText("id")).containsExactly(pastId);
        assertThat(PortalIT.get("/api/v1/alarms?state=all&from=2026-11-29&to=2026-11-29", 200).findValuesAsText("id")).containsExactly(pastId);
        assertThat(PortalIT.get("/api/v1/alarms?state=all&from=2026-11-30", 200)).isEmpty();
        // Done once: both decisions are now a 409 naming who cleared it; an alarm that never was is a 404.
        HttpResponse<String> again = post("/api/v1/alarms/TAMPER/m-t/clear", null, PortalIT.staffToken);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("already cleared").contains("admin");
        assertThat(post("/api/v1/alarms/TAMPER/m-t/acknowledge", null, PortalIT.staffToken).statusCode()).isEqualTo(409);
        assertThat(post("/api/v1/alarms/TAMPER/nobody/clear", null, PortalIT.staffToken).statusCode()).isEqualTo(404);
        assertThat(post("/api/v1/alarms/NOT_A_KIND/x/clear", null, PortalIT.staffToken).statusCode()).isEqualTo(404);
        PortalIT.get("/api/v1/alarms/TAMPER/m-t/123", 404);
    }

    @Test
    void consumers_getA403_onEveryAlarmCall_andNothingChanges() throws Exception {
        PortalIT.raise(AlarmKind.METER_OFFLINE, "m-c", Instant.now(), "offline");
        PortalIT.getText("/api/v1/alarms", 403, consumer);
        PortalIT.getText("/api/v1/alarms/METER_OFFLINE/m-c", 403, consumer);
        PortalIT.getText("/staff/alarms", 403, consumer);
        assertThat(post("/api/v1/alarms/METER_OFFLINE/m-c/acknowledge", "mine", consumer).statusCode()).isEqualTo(403);
        assertThat(post("/api/v1/alarms/METER_OFFLINE/m-c/clear", "mine", consumer).statusCode()).isEqualTo(403);
        JsonNode open = PortalIT.get("/api/v1/alarms/METER_OFFLINE/m-c", 200);
        assertThat(open.get("state").asText()).isEqualTo("open");
        assertThat(open.get("acknowledged").isNull()).isTrue();
    }

    @Test
    void badFilters_areA400NamingTheParameter() throws Exception {
        assertThat(PortalIT.get("/api/v1/alarms?state=closed", 400).get("error").asText()).contains("state");
        assertThat(PortalIT.get("/api/v1/alarms?kind=FIRE", 400).get("error").asText()).contains("kind");
        assertThat(PortalIT.get("/api/v1/alarms?severity=high", 400).get("error").asText()).contains("severity");
        assertThat(PortalIT.get("/api/v1/alarms?limit=0", 400).get("error").asText()).contains("limit");
        assertThat(PortalIT.get("/api/v1/alarms?from=2026-11-02&to=2026-11-01", 400).get("error").asText()).contains("from");
        assertThat(post("/api/v1/alarms/TAMPER/x/clear", "two\nlines", PortalIT.staffToken).statusCode()).isEqualTo(400);
    }

    @Test
    void aSilentMeter_isRaisedBySweep_clearedByStaffWhileStillSilent_notRaisedAgain_untilItHasReportedOnce() throws Exception {
        Instant old = Instant.now().minus(Duration.ofHours(1));
        meter("m-quiet", old);
        PortalIT.sweep();
        JsonNode silent = PortalIT.get("/api/v1/alarms/METER_SILENT/m-quiet", 200);
        assertThat(silent.get("severity").asText()).isEqualTo("warning");
        assertThat(Instant.parse(silent.get("raisedAt").asText())).isEqualTo(old.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(silent.at("/evidence/lastSeen").asText()).isEqualTo(silent.get("raisedAt").asText());
        assertThat(post("/api/v1/alarms/METER_SILENT/m-quiet/clear", "known: site visit", PortalIT.staffToken).statusCode()).isEqualTo(200);
        PortalIT.sweep();
        PortalIT.get("/api/v1/alarms/METER_SILENT/m-quiet", 404); // still silent, but cleared by staff: not raised again
        // It reports (the cause ends: the hold goes), then falls silent again: a new alarm.
        meter("m-quiet", Instant.now());
        PortalIT.sweep();
        assertThat(Mono.from(PortalIT.db.getCollection(ALARM_HOLDS).countDocuments()).block()).isZero();
        Instant later = Instant.now().minus(Duration.ofMinutes(20));
        meter("m-quiet", later);
        PortalIT.sweep();
        assertThat(Instant.parse(PortalIT.get("/api/v1/alarms/METER_SILENT/m-quiet", 200).get("raisedAt").asText()))
                .isEqualTo(later.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        // Reporting again clears it automatically, into the history beside the one staff cleared.
        meter("m-quiet", Instant.now());
        PortalIT.sweep();
        JsonNode past = PortalIT.get("/api/v1/alarms?state=cleared&meterId=m-quiet", 200);
        assertThat(past.findValuesAsText("by")).contains("admin", "auto");
    }

    @Test
    void aRegisterAnomaly_isClearedOnceStaffHaveDecidedEveryQuarantinedReadingOfTheMeter() throws Exception {
        PortalIT.insert(REJECTED, new Document(ID, new org.bson.types.ObjectId()).append(METER_ID, "m-q").append(REASON, "REGISTER_BACKWARDS")
                .append(QUARANTINE, QUARANTINE_OPEN).append(RECEIVED_AT, new Date()));
        PortalIT.raise(AlarmKind.REGISTER_ANOMALY, "m-q", Instant.now(), "reading quarantined (REGISTER_BACKWARDS)");
        PortalIT.sweep();
        PortalIT.get("/api/v1/alarms/REGISTER_ANOMALY/m-q", 200);
        Mono.from(PortalIT.db.getCollection(REJECTED).updateMany(new Document(METER_ID, "m-q"),
                new Document("$set", new Document(QUARANTINE, QUARANTINE_DISCARDED)))).block();
        PortalIT.sweep();
        PortalIT.get("/api/v1/alarms/REGISTER_ANOMALY/m-q", 404);
        JsonNode past = PortalIT.get("/api/v1/alarms?state=cleared&kind=REGISTER_ANOMALY", 200);
        assertThat(past.get(0).at("/cleared/by").asText()).isEqualTo("auto");
        assertThat(past.get(0).at("/cleared/evidence/text").asText()).contains("no quarantined reading");
    }

    @Test
    void abnormalConsumption_isJudgedAgainstTheMetersOwnDays_andClearedByANormalDay() throws Exception {
        LocalDate judged = LocalDate.parse("2026-06-30");
        // 28 ordinary days of about 10 kWh, then 31 kWh; a second meter steady; a third with too little history.
        List<Reading> readings = new ArrayList<>();
        days(readings, "m-spike", judged.minusDays(29), 29, d -> 9.5 + (d % 3) * 0.5);
        day(readings, "m-spike", judged, 31.0);
        days(readings, "m-steady", judged.minusDays(29), 30, d -> 10.0 + (d % 2) * 0.4);
        days(readings, "m-new", judged.minusDays(5), 6, d -> d == 5 ? 40.0 : 10.0);
        StoreSeed.store(PortalIT.db, readings);
        Instant noon = judged.plusDays(1).atTime(12, 0).atZone(StoreSeed.BERLIN).toInstant();
        sweeperAt(noon).sweep().toCompletionStage().toCompletableFuture().get();

        JsonNode open = PortalIT.get("/api/v1/alarms?kind=ABNORMAL_CONSUMPTION", 200);
        assertThat(open.findValuesAsText("meterId")).containsExactly("m-spike");
        JsonNode e = open.get(0).get("evidence");
        assertThat(e.get("day").asText()).isEqualTo("2026-06-30");
        assertThat(e.get("kwh").asDouble()).isEqualTo(31.0);
        assertThat(e.get("medianKwh").asDouble()).isEqualTo(10.0);
        assertThat(e.get("expectedHighKwh").asDouble()).isLessThan(31.0).isGreaterThan(10.5);
        assertThat(e.get("basisDays").asInt()).isEqualTo(28);
        assertThat(open.get(0).get("detail").asText()).startsWith("2026-06-30 used 31.00 kWh; expected");

        // The next day is ordinary again: judged at the next day's sweep, the alarm ends.
        day(readings, "m-spike", judged.plusDays(1), 10.0);
        StoreSeed.store(PortalIT.db, readings.subList(readings.size() - 2, readings.size()));
        sweeperAt(noon.plus(Duration.ofDays(1))).sweep().toCompletionStage().toCompletableFuture().get();
        assertThat(PortalIT.get("/api/v1/alarms?kind=ABNORMAL_CONSUMPTION", 200)).isEmpty();
        assertThat(PortalIT.get("/api/v1/alarms?state=cleared&kind=ABNORMAL_CONSUMPTION", 200).get(0).at("/cleared/evidence/kwh").asDouble())
                .isEqualTo(10.0);
    }

    private static AlarmSweeper sweeperAt(Instant now) {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        return new AlarmSweeper(PortalIT.db, new AlarmStore(PortalIT.db, clock), new StoreMeterStates(PortalIT.db), StoreSeed.BERLIN,
                Duration.ofSeconds(30), clock);
    }

    /** {@code count} days from {@code first}, the n-th using {@code kwh(n)}, continuing the meter's register. */
    private static void days(List<Reading> out, String meter, LocalDate first, int count, java.util.function.IntToDoubleFunction kwh) {
        for (int n = 0; n < count; n++) {
            day(out, meter, first.plusDays(n), kwh.applyAsDouble(n));
        }
    }

    /** Two readings of {@code day} (at 00:30 and 23:30 local) {@code kwh} apart, the first continuing the register. */
    private static void day(List<Reading> out, String meter, LocalDate day, double kwh) {
        double register = out.stream().filter(r -> r.meterId().equals(meter)).mapToDouble(Reading::energyKwh).max().orElse(1000.0);
        Instant start = day.atTime(0, 30).atZone(StoreSeed.BERLIN).toInstant();
        Instant end = day.atTime(23, 30).atZone(StoreSeed.BERLIN).toInstant();
        // The first reading of a day carries on from the last one of the day before: the day's kWh is the register difference.
        out.add(StoreSeed.reading(meter, start, register));
        out.add(StoreSeed.reading(meter, end, register + kwh));
    }

    private static void meter(String id, Instant lastSeen) {
        StoreSeed.meter(PortalIT.db, new Document(ID, id).append(CONNECTION_LAST, new Document(TS, Date.from(lastSeen)).append(STATE, "ONLINE"))
                .append(LAST_SEEN, Date.from(lastSeen)));
    }
}
