package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.command.CommandAck;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.store.testing.StoredReadings;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * A circuit's commands past CONFIRMED, with a test client playing the meter: a CIRCUIT command is verified by a later
 * reading showing the circuit's relay in the commanded state, a SCHEDULE command by a later reading naming it as the
 * circuit's schedule; earlier readings and readings without the circuit say nothing; contradictions fail.
 */
class CircuitCommandsVerifiedIT {

    static final ReadingCodec CODEC = new ReadingCodec();
    static final AtomicInteger SERIAL = new AtomicInteger();
    static final String WH = "water-heater";

    static MongoDatabase db;
    static MeterClients meterSide;

    @BeforeAll
    static void start() throws Exception {
        IngestIT.startStack();
        db = IngestIT.db;
        meterSide = IngestIT.meters;
    }

    @Test
    void circuitCommand_laterReadingShowsTheCircuitsRelay_isVerified_earlierAndCircuitlessReadingsDoNotCount() {
        String meter = online();
        String id = circuitCommand(meter, RelayState.OFF);
        Instant ackTs = Instant.now();
        reading(meter, 0, ackTs.minusSeconds(5), new CircuitReading(WH, 2400, 1.0, RelayState.ON, null));
        ack(meter, new CommandAck(id, true, WH, RelayState.OFF, null, ackTs));
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(state(id)));
        // After the acknowledgement, but without the circuit (another circuit only): not evidence either way.
        reading(meter, 1, ackTs.plusSeconds(5), new CircuitReading("fridge", 120, 0.5, RelayState.ON, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> count(meter) == 2);
        assertThat(state(id)).isEqualTo("CONFIRMED");
        reading(meter, 2, ackTs.plusSeconds(10), new CircuitReading(WH, 0, 1.0, RelayState.OFF, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> "VERIFIED".equals(state(id)));
        Document c = command(id);
        assertThat(c.get(VERIFIED_SEQ, Number.class).longValue()).isEqualTo(2);
        assertThat(c.getList(HISTORY, Document.class)).extracting(h -> h.getString(STATE)).containsExactly("PENDING", "CONFIRMED", "VERIFIED");
        assertThat(c.getList(HISTORY, Document.class).get(2).getString(DETAIL)).contains("circuit water-heater's relay OFF");
    }

    @Test
    void circuitCommand_laterReadingShowsTheOtherState_fails_withTheEvidence() {
        String meter = online();
        String id = circuitCommand(meter, RelayState.OFF);
        Instant ackTs = Instant.now();
        ack(meter, new CommandAck(id, true, WH, RelayState.OFF, null, ackTs));
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(state(id)));
        reading(meter, 3, ackTs.plusSeconds(5), new CircuitReading(WH, 2400, 1.0, RelayState.ON, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(state(id)));
        assertThat(command(id).getString(ERROR)).contains("seq 3").contains("circuit water-heater's relay ON").contains("confirmed OFF");
    }

    @Test
    void scheduleCommand_laterReadingNamesIt_isVerified_whileAnotherScheduleFails() {
        String meter = online();
        String id = scheduleCommand(meter, true);
        Instant ackTs = Instant.now();
        ack(meter, new CommandAck(id, true, WH, null, null, ackTs));
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(state(id)));
        // The reading before the acknowledgement still names the old schedule: passed over.
        reading(meter, 0, ackTs.minusSeconds(1), new CircuitReading(WH, 0, 1.0, RelayState.OFF, "older"));
        reading(meter, 1, ackTs.plusSeconds(5), new CircuitReading(WH, 0, 1.0, RelayState.OFF, id));
        await().atMost(Duration.ofSeconds(10)).until(() -> "VERIFIED".equals(state(id)));
        assertThat(command(id).get(VERIFIED_SEQ, Number.class).longValue()).isEqualTo(1);

        String other = scheduleCommand(meter, true);
        Instant ack2 = ackTs.plusSeconds(10);
        ack(meter, new CommandAck(other, true, WH, null, null, ack2));
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(state(other)));
        reading(meter, 2, ack2.plusSeconds(5), new CircuitReading(WH, 0, 1.0, RelayState.OFF, id));
        await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(state(other)));
        assertThat(command(other).getString(ERROR)).contains("seq 2").contains("running schedule " + id).contains("confirmed schedule " + other);
    }

    @Test
    void removingASchedule_isVerifiedByAReadingWithoutOne() {
        String meter = online();
        String id = scheduleCommand(meter, false);
        Instant ackTs = Instant.now();
        ack(meter, new CommandAck(id, true, WH, null, null, ackTs));
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(state(id)));
        reading(meter, 0, ackTs.plusSeconds(5), new CircuitReading(WH, 0, 1.0, RelayState.OFF, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> "VERIFIED".equals(state(id)));
    }

    // ---- the meter's side and the portal's side, as they write

    private static String online() {
        String meter = "circ-" + SERIAL.incrementAndGet() + "-" + System.nanoTime() % 100000;
        meterSide.of(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(StatusMessage.of(meter, ConnectionState.ONLINE, Instant.now()).encode()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block() != null);
        return meter;
    }

    private static String circuitCommand(String meter, RelayState relay) {
        return insert(new Document(ID, UUID.randomUUID().toString()).append(METER_ID, meter).append(COMMAND_TYPE, "CIRCUIT")
                .append(COMMAND_CIRCUIT, WH).append(RELAY, relay.name()));
    }

    /** A SCHEDULE command: with a schedule, or removing it ({@code schedule} null). */
    private static String scheduleCommand(String meter, boolean withSchedule) {
        Document schedule = withSchedule ? new Document("zone", "Europe/Berlin").append("windows",
                List.of(new Document("from", "00:00").append("to", "06:00"))) : null;
        return insert(new Document(ID, UUID.randomUUID().toString()).append(METER_ID, meter).append(COMMAND_TYPE, "SCHEDULE")
                .append(COMMAND_CIRCUIT, WH).append(COMMAND_SCHEDULE, schedule));
    }

    private static String insert(Document command) {
        Date now = new Date();
        Mono.from(db.getCollection(COMMANDS).insertOne(command.append(REASON, "test").append(REQUESTED_BY, "owner").append(REQUESTED_AT, now)
                .append(STATE, "PENDING").append(HISTORY, List.of(new Document(STATE, "PENDING").append(AT, now))))).block();
        return command.getString(ID);
    }

    private static void ack(String meter, CommandAck ack) {
        meterSide.of(meter).publishWith().topic("meters/" + meter + "/command/ack").qos(MqttQos.AT_LEAST_ONCE).payload(ack.encode()).send();
    }

    private static void reading(String meter, long seq, Instant ts, CircuitReading circuit) {
        meterSide.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                .payload(CODEC.encode(Reading.of(meter, seq, ts, 10 + seq * 0.001, 100.0, 230.0, 0.4, null, RelayState.ON)
                        .withCircuits(List.of(circuit)))).send();
    }

    private static Document command(String id) {
        return Mono.from(db.getCollection(COMMANDS).find(Filters.eq(ID, id)).first()).block();
    }

    private static String state(String id) {
        return command(id).getString(STATE);
    }

    private static long count(String meter) {
        return StoredReadings.count(db, meter);
    }
}
