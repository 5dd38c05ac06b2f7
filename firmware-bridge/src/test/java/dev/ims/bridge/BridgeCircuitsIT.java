package dev.ims.bridge;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.ingest.IngestService;
import dev.ims.ingest.IngestSettings;
import dev.ims.model.circuit.CircuitKind;
import dev.ims.model.circuit.Schedule;
import dev.ims.model.command.CircuitCommand;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.MeterCommand;
import dev.ims.model.command.ScheduleCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.RelayState;
import dev.ims.model.security.Credential;
import dev.ims.store.testing.StoredReadings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The bridge's circuits on mock GPIO against the real pipeline (embedded broker, ingest, store): per-circuit S0 pulses
 * become stored circuit values; a signed CIRCUIT command switches the circuit's pin and is confirmed; a critical
 * circuit's command and one signed for another meter are refused with the pins untouched; a SCHEDULE is followed by the
 * pin; and a circuit relay's state survives a restart.
 */
class BridgeCircuitsIT {

    static final int HEATER_S0 = 22;
    static final int HEATER_RELAY = 23;
    static final int FRIDGE_S0 = 24;
    static final int FRIDGE_RELAY = 25;
    static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    static final List<CircuitSpec> SPECS = List.of(
            new CircuitSpec("water-heater", "Water heater", CircuitKind.WATER_HEATER, false, new CircuitSpec.S0(HEATER_S0, 1_000, false),
                    new CircuitSpec.Relay(HEATER_RELAY, false, -1)),
            new CircuitSpec("fridge", "Fridge", CircuitKind.FRIDGE, true, new CircuitSpec.S0(FRIDGE_S0, 1_000, false),
                    new CircuitSpec.Relay(FRIDGE_RELAY, false, -1)));

    private Bridge start(Context pi4j, ImsSettings settings, Path stateFile) throws Exception {
        Bridge.Options o = new Bridge.Options(stateFile, 27, false, -1, Duration.ofMillis(300), 500.0, 1_000, null, Duration.ZERO)
                .withCircuits(SPECS, Duration.ofMillis(100));
        Map<String, EnergySource> sources = Map.of(
                "water-heater", new S0Source(new S0Counter(pi4j, HEATER_S0, false, 5_000), 1_000),
                "fridge", new S0Source(new S0Counter(pi4j, FRIDGE_S0, false, 5_000), 1_000));
        return Bridge.start(pi4j, settings, o, new S0Source(new S0Counter(pi4j, 17, false, 5_000), 1_000), sources, Clock.systemUTC());
    }

    @Test
    void circuitValuesAreStored_commandsAndSchedulesDriveTheirPins_criticalAndForeignCommandsAreRefused_andRelaysSurviveARestart()
            throws Exception {
        BrokerIdentities ids = new BrokerIdentities();
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        ImsSettings settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl(broker.url())
                .withMongoUri(store.connectionString());
        CommandSigningKey key = CommandSigningKey.generate();
        CommandSigner signer = key.signer();
        CommandKeySet.of(key.publicKey()).write(CommandKeys.defaultKeySetFile(dir));
        IngestService ingest = new IngestService(IngestSettings.of(settings.withMqttCredential(ids.ingest("circuits-it")), "circuits-it"));
        ingest.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        MongoClient mongo = MongoClients.create(store.connectionString());
        MongoDatabase db = mongo.getDatabase("ims");
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        Credential portalIdentity = ids.portal("circuits-it-portal");
        Mqtt5BlockingClient portal = Mqtt5Client.builder().identifier(portalIdentity.username()).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(portalIdentity.username()).password(portalIdentity.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        Path stateFile = dir.resolve("meter.json");
        MeterState made = MeterState.newMeter(500.0, null);
        MeterStateFile.save(stateFile, made);
        ids.meter(made.meterId(), made.brokerSecret());
        String meter = made.meterId();
        Context pi4j = BridgeMain.mockContext();
        Context again = null;
        DigitalOutput heaterAtStop;
        try {
            try (Bridge bridge = start(pi4j, settings, stateFile)) {
                DigitalOutput heaterPin = pi4j.io("relay-" + HEATER_RELAY);
                DigitalOutput fridgePin = pi4j.io("relay-" + FRIDGE_RELAY);
                heaterAtStop = heaterPin;
                assertThat(heaterPin.state()).as("a new circuit starts ON").isEqualTo(DigitalState.HIGH);
                assertThat(fridgePin.state()).isEqualTo(DigitalState.HIGH);
                MockDigitalInput heaterS0 = pi4j.io("s0-" + HEATER_S0);
                MockDigitalInput fridgeS0 = pi4j.io("s0-" + FRIDGE_S0);
                MockDigitalInput mainS0 = pi4j.io("s0-17");
                // The water heater pulses every 100 ms (36 kW at 1000 imp/kWh), the fridge every 300 ms; the house meter sees both.
                int[] tick = {0};
                load.scheduleAtFixedRate(() -> {
                    pulse(heaterS0);
                    pulse(mainS0);
                    if (tick[0]++ % 3 == 0) {
                        pulse(fridgeS0);
                        pulse(mainS0);
                    }
                }, 0, 100, TimeUnit.MILLISECONDS);

                // Circuit values stored, each circuit's register growing, relays as measured.
                await().atMost(Duration.ofSeconds(30)).until(() -> readings(db, meter).stream().filter(r -> circuit(r, "water-heater") != null
                        && circuit(r, "water-heater").getDouble(ENERGY_KWH) > 0).count() >= 3);
                List<Document> stored = readings(db, meter);
                Document last = stored.get(stored.size() - 1);
                assertThat(circuit(last, "water-heater").getString(RELAY)).isEqualTo("ON");
                assertThat(circuit(last, "fridge").getString(RELAY)).isEqualTo("ON");
                assertThat(circuit(last, "water-heater").getDouble(ENERGY_KWH)).isGreaterThan(circuit(last, "fridge").getDouble(ENERGY_KWH));
                assertThat(circuit(last, "water-heater").getDouble(POWER_W)).isGreaterThan(0.0);
                double previous = 0;
                for (Document r : stored) {
                    Document h = circuit(r, "water-heater");
                    if (h != null) {
                        assertThat(h.getDouble(ENERGY_KWH)).isGreaterThanOrEqualTo(previous);
                        previous = h.getDouble(ENERGY_KWH);
                    }
                }
                assertThat(bridge.watch().report(Instant.now()).counters()).containsEntry("circuit.water-heater.failures", 0L)
                        .containsEntry("circuit.fridge.failures", 0L);

                portal.connect();
                // A signed CIRCUIT command: the heater's pin goes LOW, the command is confirmed.
                String off = send(portal, db, signer, meter, meter, new CircuitCommand(id(), "water-heater", RelayState.OFF, Instant.now()));
                await().atMost(Duration.ofSeconds(30)).until(() -> confirmed(command(db, off)));
                assertThat(heaterPin.state()).isEqualTo(DigitalState.LOW);
                assertThat(bridge.meter().circuitRelay("water-heater")).isEqualTo(RelayState.OFF);
                assertThat(bridge.meter().relay()).as("the supply relay is not touched").isEqualTo(RelayState.ON);
                assertThat(MeterStateFile.load(stateFile).circuits().get("water-heater").relay()).as("saved").isEqualTo(RelayState.OFF);
                await().atMost(Duration.ofSeconds(10)).until(() -> "OFF".equals(circuit(lastReading(db, meter), "water-heater").getString(RELAY)));

                // The fridge is critical: refused, its pin stays HIGH.
                String fridge = send(portal, db, signer, meter, meter, new CircuitCommand(id(), "fridge", RelayState.OFF, Instant.now()));
                await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(command(db, fridge).getString(STATE)));
                assertThat(command(db, fridge).getString(ERROR)).contains("critical: ");
                assertThat(fridgePin.state()).isEqualTo(DigitalState.HIGH);

                // Signed for another meter: refused, the heater's pin stays LOW.
                String foreign = send(portal, db, signer, meter, "IMS-NEIGHBOUR-1", new CircuitCommand(id(), "water-heater", RelayState.ON, Instant.now()));
                await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(command(db, foreign).getString(STATE)));
                assertThat(command(db, foreign).getString(ERROR)).contains("bad-signature: ");
                assertThat(heaterPin.state()).isEqualTo(DigitalState.LOW);

                // A schedule whose window holds now: the runner switches the heater ON; readings name the schedule.
                Instant now = Instant.now();
                Schedule open = new Schedule(ZoneOffset.UTC, List.of(Schedule.Window.of(HH_MM.format(now.minusSeconds(3600)),
                        HH_MM.format(now.plusSeconds(3600)))), null);
                String scheduleId = send(portal, db, signer, meter, meter, new ScheduleCommand(id(), "water-heater", open, Instant.now()));
                await().atMost(Duration.ofSeconds(30)).until(() -> confirmed(command(db, scheduleId)));
                await().atMost(Duration.ofSeconds(10)).until(() -> heaterPin.state() == DigitalState.HIGH);
                await().atMost(Duration.ofSeconds(10)).until(() -> scheduleId.equals(circuit(lastReading(db, meter), "water-heater").getString(CIRCUIT_SCHEDULE)));
                // ...which verifies the command (a reading naming another schedule, or none, would have failed it).
                await().atMost(Duration.ofSeconds(10)).until(() -> "VERIFIED".equals(command(db, scheduleId).getString(STATE)));
                // One whose window lies ahead: OFF.
                Schedule later = new Schedule(ZoneOffset.UTC, List.of(Schedule.Window.of(HH_MM.format(now.plusSeconds(2 * 3600)),
                        HH_MM.format(now.plusSeconds(3 * 3600)))), null);
                String laterId = send(portal, db, signer, meter, meter, new ScheduleCommand(id(), "water-heater", later, Instant.now()));
                await().atMost(Duration.ofSeconds(30)).until(() -> confirmed(command(db, laterId)));
                await().atMost(Duration.ofSeconds(10)).until(() -> heaterPin.state() == DigitalState.LOW);
                // No schedule any more: the circuit stays as it is (OFF) across the restart below.
                String none = send(portal, db, signer, meter, meter, new ScheduleCommand(id(), "water-heater", null, Instant.now()));
                await().atMost(Duration.ofSeconds(30)).until(() -> confirmed(command(db, none)));
            }
            load.shutdownNow();
            pi4j.shutdown();
            assertThat(heaterAtStop.state()).as("held at the stop").isEqualTo(DigitalState.LOW);

            // The bridge starts again on fresh GPIO (the Pi rebooted): the heater is driven OFF as saved, the fridge ON.
            again = BridgeMain.mockContext();
            try (Bridge restarted = start(again, settings, stateFile)) {
                assertThat(again.<DigitalOutput>io("relay-" + HEATER_RELAY).state()).isEqualTo(DigitalState.LOW);
                assertThat(again.<DigitalOutput>io("relay-" + FRIDGE_RELAY).state()).isEqualTo(DigitalState.HIGH);
                assertThat(restarted.meter().circuitRelay("water-heater")).isEqualTo(RelayState.OFF);
                long seq = lastReading(db, meter).getLong(SEQ);
                await().atMost(Duration.ofSeconds(10)).until(() -> lastReading(db, meter).getLong(SEQ) > seq);
                assertThat(circuit(lastReading(db, meter), "water-heater").getString(RELAY)).isEqualTo("OFF");
            }
        } finally {
            load.shutdownNow();
            if (portal.getState().isConnected()) {
                portal.disconnect();
            }
            pi4j.shutdown();
            if (again != null) {
                again.shutdown();
            }
            ingest.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            mongo.close();
            store.close();
            broker.close();
        }
    }

    private static void pulse(MockDigitalInput in) {
        in.mockState(DigitalState.HIGH);
        in.mockState(DigitalState.LOW);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    /** Stores the command as the portal does (PENDING), signs it for {@code signedFor} and publishes it to {@code meter}. */
    private static String send(Mqtt5BlockingClient portal, MongoDatabase db, CommandSigner signer, String meter, String signedFor, MeterCommand c) {
        Document d = new Document(ID, c.commandId()).append(METER_ID, meter).append(REASON, "test").append(REQUESTED_BY, "owner")
                .append(REQUESTED_AT, new Date()).append(STATE, "PENDING").append(HISTORY, List.of(new Document(STATE, "PENDING")));
        if (c instanceof CircuitCommand cc) {
            d.append(COMMAND_TYPE, "CIRCUIT").append(COMMAND_CIRCUIT, cc.circuit()).append(RELAY, cc.relay().name());
        } else if (c instanceof ScheduleCommand sc) {
            // As the portal stores it: the schedule sent, or null for a removal (the ingest verifies against it).
            d.append(COMMAND_TYPE, "SCHEDULE").append(COMMAND_CIRCUIT, sc.circuit())
                    .append(COMMAND_SCHEDULE, sc.schedule() == null ? null : Document.parse(sc.schedule().toJson().toString()));
        }
        Mono.from(db.getCollection(COMMANDS).insertOne(d)).block();
        portal.publishWith().topic("meters/" + meter + "/command").qos(MqttQos.AT_LEAST_ONCE)
                .payload(signer.sign(signedFor, c, Duration.ofMinutes(5)).encode()).send();
        return c.commandId();
    }

    /** Confirmed by the meter, and perhaps already verified by a later reading (which needs the confirmation first). */
    private static boolean confirmed(Document command) {
        return List.of("CONFIRMED", "VERIFIED").contains(command.getString(STATE));
    }

    private static Document command(MongoDatabase db, String id) {
        return Mono.from(db.getCollection(COMMANDS).find(Filters.eq(ID, id)).first()).block();
    }

    private static List<Document> readings(MongoDatabase db, String meter) {
        return StoredReadings.of(db, meter);
    }

    private static Document lastReading(MongoDatabase db, String meter) {
        List<Document> all = StoredReadings.of(db, meter);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The circuit's values in a stored reading, or null. */
    private static Document circuit(Document reading, String id) {
        List<Document> circuits = reading == null ? null : reading.getList(CIRCUITS, Document.class);
        return circuits == null ? null : circuits.stream().filter(c -> id.equals(c.getString(CIRCUIT_ID))).findFirst().orElse(null);
    }
}
