package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.client.model.Filters;
import dev.ims.model.reading.FaultCode;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.store.testing.StoredReadings;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Alarms the ingest raises and clears from what it receives, on IngestIT's embedded broker and store, through the real
 * broker: the records in {@code alarms} and {@code alarm_history} as the portal and the relay interlock read them.
 */
class IngestAlarmsIT {

    private static final ReadingCodec CODEC = new ReadingCodec();
    private static final AtomicInteger METERS = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(15);

    @BeforeAll
    static void stack() throws Exception {
        IngestIT.startStack();
    }

    @ParameterizedTest
    @CsvSource({"TAMPER, TAMPER, critical", "OVERVOLTAGE, METER_FAULT, critical"})
    void aFaultReading_raisesAnAlarmWithItsEvidence_andAnOkReading_clearsItIntoTheHistory(FaultCode fault, String kind, String severity) {
        String meter = newMeter();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(600);
        publish(meter, Reading.of(meter, 0, t0, 10.0, 300.0, 230.0, 1.3, null, RelayState.ON));
        publish(meter, Reading.of(meter, 1, t0.plusSeconds(60), 10.1, 300.0, 230.0, 1.3, fault, RelayState.ON));
        String id = kind + "/" + meter;
        await().atMost(WAIT).until(() -> one(ALARMS, id) != null);
        Document open = one(ALARMS, id);
        assertThat(open.getString(ALARM_KIND)).isEqualTo(kind);
        assertThat(open.getString(ALARM_SEVERITY)).isEqualTo(severity);
        assertThat(open.getString(METER_ID)).isEqualTo(meter);
        assertThat(open.getString(ALARM_SUBJECT)).isEqualTo(meter);
        assertThat(open.getDate(ALARM_RAISED_AT).toInstant()).isEqualTo(t0.plusSeconds(60));
        Document evidence = open.get(ALARM_EVIDENCE, Document.class);
        assertThat(evidence.getString(ALARM_TEXT)).contains("seq 1").contains(fault.name());
        assertThat(evidence.get(SEQ, Number.class).longValue()).isEqualTo(1);
        assertThat(evidence.getString(FAULT)).isEqualTo(fault.name());
        assertThat(open.get(ALARM_CLEARED)).isNull();

        publish(meter, Reading.of(meter, 2, t0.plusSeconds(120), 10.2, 300.0, 230.0, 1.3, null, RelayState.ON));
        await().atMost(WAIT).until(() -> one(ALARMS, id) == null);
        Document past = one(ALARM_HISTORY, id + "/" + t0.plusSeconds(60).toEpochMilli());
        assertThat(past).isNotNull();
        assertThat(past.getString(ALARM_KIND)).isEqualTo(kind);
        Document cleared = past.get(ALARM_CLEARED, Document.class);
        assertThat(cleared.getString(ALARM_BY)).isEqualTo(ALARM_BY_AUTO);
        assertThat(cleared.get(ALARM_EVIDENCE, Document.class).get(SEQ, Number.class).longValue()).isEqualTo(2);
        assertThat(past.get(ALARM_EVIDENCE, Document.class).getString(FAULT)).isEqualTo(fault.name());
        assertThat(countFor(ALARMS, meter)).isZero();
    }

    @Test
    void theRelayOffInTheReadings_raisesSupplyOff_andOnClearsIt() {
        String meter = newMeter();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(600);
        publish(meter, Reading.of(meter, 0, t0, 10.0, 0.0, 230.0, 0.0, null, RelayState.OFF));
        await().atMost(WAIT).until(() -> one(ALARMS, "SUPPLY_OFF/" + meter) != null);
        assertThat(one(ALARMS, "SUPPLY_OFF/" + meter).getString(ALARM_SEVERITY)).isEqualTo("info");
        assertThat(one(ALARMS, "METER_FAULT/" + meter)).isNull();
        publish(meter, Reading.of(meter, 1, t0.plusSeconds(60), 10.0, 0.0, 230.0, 0.0, null, RelayState.ON));
        await().atMost(WAIT).until(() -> one(ALARMS, "SUPPLY_OFF/" + meter) == null);
        assertThat(countFor(ALARM_HISTORY, meter)).isEqualTo(1);
    }

    @Test
    void anOfflineStatus_raisesMeterOffline_anOlderOnlineDoesNotClearIt_butANewerOneDoes() {
        String meter = newMeter();
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);
        status(meter, ConnectionState.OFFLINE, t);
        await().atMost(WAIT).until(() -> one(ALARMS, "METER_OFFLINE/" + meter) != null);
        assertThat(one(ALARMS, "METER_OFFLINE/" + meter).getDate(ALARM_RAISED_AT).toInstant()).isEqualTo(t);
        status(meter, ConnectionState.ONLINE, t.minusSeconds(30));
        publish(meter, Reading.of(meter, 0, t, 1.0, null, null, null, null, null));
        await().atMost(WAIT).until(() -> StoredReadings.count(IngestIT.db, meter) == 1);
        assertThat(one(ALARMS, "METER_OFFLINE/" + meter)).isNotNull();
        status(meter, ConnectionState.ONLINE, t.plusSeconds(30));
        await().atMost(WAIT).until(() -> one(ALARMS, "METER_OFFLINE/" + meter) == null);
        assertThat(one(ALARM_HISTORY, "METER_OFFLINE/" + meter + "/" + t.toEpochMilli()).get(ALARM_CLEARED, Document.class)
                .getString(ALARM_BY)).isEqualTo(ALARM_BY_AUTO);
    }

    @Test
    void aReadingQuarantinedForARegisterGoingBackwards_raisesARegisterAnomaly_namingTheRejectedReading() {
        String meter = newMeter();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(600);
        publish(meter, Reading.of(meter, 0, t0, 100.0, null, null, null, null, null));
        await().atMost(WAIT).until(() -> StoredReadings.count(IngestIT.db, meter) == 1);
        publish(meter, Reading.of(meter, 1, t0.plusSeconds(60), 40.0, null, null, null, null, null));
        await().atMost(WAIT).until(() -> one(ALARMS, "REGISTER_ANOMALY/" + meter) != null);
        Document evidence = one(ALARMS, "REGISTER_ANOMALY/" + meter).get(ALARM_EVIDENCE, Document.class);
        assertThat(evidence.getString(REASON)).isEqualTo("REGISTER_BACKWARDS");
        assertThat(evidence.get(ENERGY_KWH, Number.class).doubleValue()).isEqualTo(40.0);
        Document rejected = Mono.from(IngestIT.db.getCollection(REJECTED).find(Filters.eq(ID, new ObjectId(evidence.getString("rejectedId"))))
                .first()).block();
        assertThat(rejected.getString(METER_ID)).isEqualTo(meter);
        assertThat(rejected.getString(QUARANTINE)).isEqualTo(QUARANTINE_OPEN);
    }

    @Test
    void aFaultStaffClearedWhileItPersists_isNotRaisedAgain_untilItHasEndedOnce() {
        String meter = newMeter();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(600);
        // What the portal leaves when staff clear an open TAMPER whose cause persists: the record in the history and a hold.
        Mono.from(IngestIT.db.getCollection(ALARM_HOLDS).insertOne(new Document(ID, "TAMPER/" + meter).append(ALARM_KIND, "TAMPER")
                .append(ALARM_SUBJECT, meter).append(METER_ID, meter).append(ALARM_BY, "staff-1").append(AT, new java.util.Date()))).block();
        publish(meter, Reading.of(meter, 0, t0, 1.0, null, null, null, FaultCode.TAMPER, null));
        await().atMost(WAIT).until(() -> StoredReadings.count(IngestIT.db, meter) == 1);
        assertThat(one(ALARMS, "TAMPER/" + meter)).isNull();
        publish(meter, Reading.of(meter, 1, t0.plusSeconds(60), 1.0, null, null, null, null, null));
        await().atMost(WAIT).until(() -> one(ALARM_HOLDS, "TAMPER/" + meter) == null);
        publish(meter, Reading.of(meter, 2, t0.plusSeconds(120), 1.0, null, null, null, FaultCode.TAMPER, null));
        await().atMost(WAIT).until(() -> one(ALARMS, "TAMPER/" + meter) != null);
        assertThat(one(ALARMS, "TAMPER/" + meter).getDate(ALARM_RAISED_AT).toInstant()).isEqualTo(t0.plusSeconds(120));
    }

    @Test
    void twoIngestInstances_judgingOneMetersReadingsInTurn_keepOneRecordPerAlarm() {
        // The shared subscription deals a meter's readings to the instances in any proportion; each instance judges what
        // it gets against its own belief. Dealt strictly in turn here (the broker alone gives no such guarantee).
        AlarmRaiser a = new AlarmRaiser(IngestIT.db, java.time.Clock.systemUTC(), 1000);
        AlarmRaiser b = new AlarmRaiser(IngestIT.db, java.time.Clock.systemUTC(), 1000);
        String meter = newMeter();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(3600);
        for (int i = 0; i < 6; i++) {
            (i % 2 == 0 ? a : b).onReadings(List.of(Reading.of(meter, i, t0.plusSeconds(60L * i), 10, null, null, null, FaultCode.TAMPER, null)));
        }
        Document open = one(ALARMS, "TAMPER/" + meter);
        assertThat(countFor(ALARMS, meter)).isEqualTo(1);
        assertThat(open.get(ALARM_OCCURRENCES, Number.class).longValue()).isEqualTo(1); // the second found it open
        assertThat(open.getDate(ALARM_RAISED_AT).toInstant()).isEqualTo(t0);
        for (int i = 6; i < 10; i++) {
            (i % 2 == 0 ? a : b).onReadings(List.of(Reading.of(meter, i, t0.plusSeconds(60L * i), 10, null, null, null, null, null)));
        }
        assertThat(countFor(ALARMS, meter)).isZero();
        List<Document> past = Flux.from(IngestIT.db.getCollection(ALARM_HISTORY).find(Filters.eq(METER_ID, meter))).collectList().block();
        assertThat(past).extracting(d -> d.getString(ID)).containsExactly("TAMPER/" + meter + "/" + t0.toEpochMilli());
        // Both saw it end: a new tamper is raised once, as a new record.
        a.onReadings(List.of(Reading.of(meter, 10, t0.plusSeconds(600), 10, null, null, null, FaultCode.TAMPER, null)));
        b.onReadings(List.of(Reading.of(meter, 11, t0.plusSeconds(660), 10, null, null, null, FaultCode.TAMPER, null)));
        Document again = one(ALARMS, "TAMPER/" + meter);
        assertThat(again.getDate(ALARM_RAISED_AT).toInstant()).isEqualTo(t0.plusSeconds(600));
        assertThat(again.get(ALARM_OCCURRENCES, Number.class).longValue()).isEqualTo(2); // each believed it ended: each raised it
        assertThat(countFor(ALARMS, meter)).isEqualTo(1);
    }

    private static String newMeter() {
        return "alarm-" + METERS.incrementAndGet() + "-" + System.nanoTime() % 100000;
    }

    private static void publish(String meter, Reading r) {
        IngestIT.meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(CODEC.encode(r)).send();
    }

    private static void status(String meter, ConnectionState state, Instant ts) {
        IngestIT.meters.of(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(StatusMessage.of(meter, state, ts).encode()).send();
    }

    private static Document one(String collection, String id) {
        return Mono.from(IngestIT.db.getCollection(collection).find(Filters.eq(ID, id)).first()).block();
    }

    private static long countFor(String collection, String meter) {
        return Mono.from(IngestIT.db.getCollection(collection).countDocuments(Filters.eq(METER_ID, meter))).block();
    }
}
