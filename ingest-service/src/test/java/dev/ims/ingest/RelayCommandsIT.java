package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * A relay command's life as the ingest moves it, with a test client playing the meter: only the meter's
 * acknowledgement confirms, only a later reading verifies, contradictions fail, silence times out.
 */
class RelayCommandsIT {

    static final ReadingCodec CODEC = new ReadingCodec();
    static final AtomicInteger SERIAL = new AtomicInteger();

    static MongoDatabase db;
    /** The meters' side: each meter ID its own connection. */
    static MeterClients meterSide;

    /** IngestIT's stack: its ingest times unanswered commands out after 5 s. */
    @BeforeAll
    static void start() throws Exception {
        IngestIT.startStack();
        db = IngestIT.db;
        meterSide = IngestIT.meters;
    }

    @Test
    void acknowledged_thenALaterReadingAgrees_isVerified_andAnEarlierReadingDoesNotCount() {
        String meter = online();
        String id = command(meter, RelayState.OFF);
        Instant ackTs = Instant.now();
        // Taken before the acknowledgement, still showing ON: says nothing about the command.
        reading(meter, 0, ackTs.minusSeconds(5), RelayState.ON);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(meter) == 1);
        ack(meter, new CommandAck(id, true, RelayState.OFF, null, ackTs));
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(state(id)));
        reading(meter, 1, ackTs.plusSeconds(5), RelayState.OFF);
        await().atMost(Duration.ofSeconds(10)).until(() -> "VERIFIED".equals(state(id)));
        Document c = command(id);
        assertThat(c.get(VERIFIED_SEQ, Number.class).longValue()).isEqualTo(1);
        assertThat(c.getString(ACK_RELAY)).isEqualTo("OFF");
        assertThat(c.getList(HISTORY, Document.class)).extracting(h -> h.getString(STATE)).containsExactly("PENDING", "CONFIRMED", "VERIFIED");
    }

    @Test
    void acknowledged_butTheReadingsShowTheOtherState_fails_withTheEvidence() {
        String meter = online();
        String id = command(meter, RelayState.OFF);
        Instant ackTs = Instant.now();
        ack(meter, new CommandAck(id, true, RelayState.OFF, null, ackTs));
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(state(id)));
        reading(meter, 7, ackTs.plusSeconds(10), RelayState.ON);
        await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(state(id)));
        assertThat(command(id).getString(ERROR)).contains("seq 7").contains("shows the relay ON").contains("confirmed OFF");
    }

    @Test
    void refusedByTheMeter_orReportingTheOtherState_fails() {
        String meter = online();
        String refused = command(meter, RelayState.OFF);
        ack(meter, new CommandAck(refused, false, RelayState.ON, "relay welded", Instant.now()));
        String contrary = command(meter, RelayState.OFF);
        ack(meter, new CommandAck(contrary, true, RelayState.ON, null, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(state(refused)) && "FAILED".equals(state(contrary)));
        assertThat(command(refused).getString(ERROR)).contains("refused").contains("relay welded");
        assertThat(command(contrary).getString(ERROR)).contains("reports its relay ON, not OFF");
    }

    @Test
    void anotherMetersAcknowledgement_changesNothing() throws Exception {
        String meter = online();
        String intruder = online();
        String id = command(meter, RelayState.OFF);
        ack(intruder, new CommandAck(id, true, RelayState.OFF, null, Instant.now()));
        // The ingest has handled the intruder's message once a later one from it is through.
        reading(intruder, 0, Instant.now(), RelayState.ON);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(intruder) == 1);
        assertThat(state(id)).isIn("PENDING", "TIMED_OUT");
        assertThat(command(id).get(ACKED_AT)).isNull();
    }

    @Test
    void noAnswer_timesOutWhileOnline_expiresWhileOffline_andALateAcknowledgementStillConfirms() {
        String up = online();
        String down = "relay-" + SERIAL.incrementAndGet() + "-" + System.nanoTime() % 100000;
        status(down, ConnectionState.OFFLINE);
        String waiting = command(up, RelayState.OFF);
        String unreachable = command(down, RelayState.OFF);
        await().atMost(Duration.ofSeconds(20)).until(() -> "TIMED_OUT".equals(state(waiting)) && "EXPIRED".equals(state(unreachable)));
        assertThat(command(waiting).getString(ERROR)).contains("online");
        assertThat(command(unreachable).getString(ERROR)).contains("offline");
        ack(up, new CommandAck(waiting, true, RelayState.OFF, null, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(state(waiting)));
    }

    @Test
    void queuedCommand_isNotTimedOut_butExpiresAtItsExpiresAt_neverDelivered() {
        String down = "relay-" + SERIAL.incrementAndGet() + "-" + System.nanoTime() % 100000;
        status(down, ConnectionState.OFFLINE);
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        String waiting = queued(down, hourAgo, Instant.now().plus(Duration.ofHours(23)));
        String lapsed = queued(down, hourAgo, Instant.now().minusSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> "EXPIRED".equals(state(lapsed)));
        assertThat(command(lapsed).getString(ERROR)).startsWith("not delivered");
        assertThat(command(lapsed).getList(HISTORY, Document.class)).extracting(h -> h.getString(STATE)).containsExactly("QUEUED", "EXPIRED");
        // Hours past the 5 s acknowledgement timeout of this stack, and still waiting for its meter.
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> "QUEUED".equals(state(waiting)));
    }

    @Test
    void deliveredQueuedCommand_isTimedOutFromWhenItWasSent_notFromWhenItWasRequested() {
        String up = online();
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        String id = queued(up, hourAgo, Instant.now().plus(Duration.ofHours(23)));
        Date sent = new Date();
        Mono.from(db.getCollection(COMMANDS).updateOne(Filters.eq(ID, id), Updates.combine(Updates.set(STATE, "PENDING"),
                Updates.set(SENT_AT, sent)))).block();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> "PENDING".equals(state(id)));
        await().atMost(Duration.ofSeconds(10)).until(() -> "TIMED_OUT".equals(state(id)));
    }

    /**
     * Commands the portal has not signed yet (fleet operations, issue 15): awaiting a second staff member's approval, or held
     * by a bulk for its rate limit. The ingest leaves them alone: no timeout, no expiry of its own, and an acknowledgement
     * naming one (no meter can have received it) moves nothing.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"AWAITING_APPROVAL", "HELD"})
    void unsignedCommands_areNeitherTimedOutNorMovedByAnAcknowledgement(String unsigned) {
        String up = online();
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        String id = UUID.randomUUID().toString();
        Document d = new Document(ID, id).append(METER_ID, up).append(RELAY, "OFF").append(REASON, "test").append(REQUESTED_BY, "admin")
                .append(REQUESTED_AT, Date.from(hourAgo)).append(STATE, unsigned)
                .append(HISTORY, List.of(new Document(STATE, unsigned).append(AT, Date.from(hourAgo))));
        if (unsigned.equals("AWAITING_APPROVAL")) {
            d.append(EXPIRES_AT, Date.from(Instant.now().minusSeconds(1))); // its approval deadline passed: the portal's to expire
        }
        Mono.from(db.getCollection(COMMANDS).insertOne(d)).block();
        ack(up, new CommandAck(id, true, RelayState.OFF, null, Instant.now()));
        reading(up, 0, Instant.now(), RelayState.OFF);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(up) == 1);
        // Past this stack's 5 s acknowledgement timeout, and still as the portal left it.
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> unsigned.equals(state(id)));
        assertThat(command(id).get(ACKED_AT)).isNull();
        assertThat(command(id).getList(HISTORY, Document.class)).hasSize(1);
    }

    // ---- the meter's side and the portal's side, as they write

    /** A command as the portal queues it for an offline meter. */
    private static String queued(String meter, Instant requestedAt, Instant expiresAt) {
        String id = UUID.randomUUID().toString();
        Mono.from(db.getCollection(COMMANDS).insertOne(new Document(ID, id).append(METER_ID, meter).append(RELAY, "OFF")
                .append(REASON, "test").append(REQUESTED_BY, "admin").append(REQUESTED_AT, Date.from(requestedAt)).append(STATE, "QUEUED")
                .append(EXPIRES_AT, Date.from(expiresAt))
                .append(HISTORY, List.of(new Document(STATE, "QUEUED").append(AT, Date.from(requestedAt)))))).block();
        return id;
    }

    private static String online() {
        String meter = "relay-" + SERIAL.incrementAndGet() + "-" + System.nanoTime() % 100000;
        status(meter, ConnectionState.ONLINE);
        await().atMost(Duration.ofSeconds(10)).until(() -> Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block() != null);
        return meter;
    }

    private static void status(String meter, ConnectionState state) {
        meterSide.of(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(StatusMessage.of(meter, state, Instant.now()).encode()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Document m = Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block();
            return m != null && state.name().equals(m.get(CONNECTION_LAST, Document.class).getString(STATE));
        });
    }

    /** A command as the portal stores it (publishing is the portal's part, tested there). */
    private static String command(String meter, RelayState relay) {
        String id = UUID.randomUUID().toString();
        Date now = new Date();
        Mono.from(db.getCollection(COMMANDS).insertOne(new Document(ID, id).append(METER_ID, meter).append(RELAY, relay.name())
                .append(REASON, "test").append(REQUESTED_BY, "admin").append(REQUESTED_AT, now).append(STATE, "PENDING")
                .append(HISTORY, List.of(new Document(STATE, "PENDING").append(AT, now))))).block();
        return id;
    }

    private static void ack(String meter, CommandAck ack) {
        meterSide.of(meter).publishWith().topic("meters/" + meter + "/command/ack").qos(MqttQos.AT_LEAST_ONCE).payload(ack.encode()).send();
    }

    private static void reading(String meter, long seq, Instant ts, RelayState relay) {
        meterSide.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                .payload(CODEC.encode(Reading.of(meter, seq, ts, 10 + seq * 0.001, 100.0, 230.0, 0.4, null, relay))).send();
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
