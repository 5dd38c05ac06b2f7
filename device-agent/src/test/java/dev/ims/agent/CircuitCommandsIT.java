package dev.ims.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.ims.client.circuit.CircuitDevice;
import dev.ims.client.circuit.ScheduleRunner;
import dev.ims.client.meter.MeterDevice;
import dev.ims.client.mqtt.MeterConnection;
import dev.ims.client.relay.CommandGuard;
import dev.ims.client.relay.CommandTrust;
import dev.ims.client.relay.RelayRules;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import dev.ims.model.circuit.Schedule;
import dev.ims.model.command.CircuitCommand;
import dev.ims.model.command.CommandAck;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.MeterCommand;
import dev.ims.model.command.ScheduleCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.RelayState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A meter with circuits carrying out circuit and schedule commands over the embedded broker, with a real client in the
 * portal's place: it follows a schedule, switches on a command, and refuses a critical circuit, a circuit without a
 * relay, an unknown circuit and a command signed for another meter's circuit; the supply relay is never touched.
 */
class CircuitCommandsIT {

    @TempDir
    static Path dir;

    static EmbeddedBroker broker;
    static ImsSettings settings;
    static BrokerIdentities ids;
    static Mqtt5BlockingClient portal;
    static Mqtt5BlockingClient observer;
    static final List<CommandAck> acks = new CopyOnWriteArrayList<>();
    static CommandSigner signer;

    /** A clock the test moves; starts at a fixed instant so that schedule windows are known. */
    static final class MovingClock extends Clock {
        volatile Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A home with a water heater (switchable), a fridge (critical) and a washing machine (no relay). */
    static final class Home implements MeterDevice, CircuitDevice {
        final String id;
        final Map<String, RelayState> relays = new ConcurrentHashMap<>(Map.of("water-heater", RelayState.OFF, "fridge", RelayState.ON));
        final Map<String, String> running = new ConcurrentHashMap<>();
        volatile int supplySwitches;

        Home(String id) {
            this.id = id;
        }

        @Override
        public String meterId() {
            return id;
        }

        @Override
        public String claimVerifier() {
            return "unused";
        }

        @Override
        public RelayState relay() {
            return RelayState.ON;
        }

        @Override
        public RelayState switchRelay(RelayState wanted) {
            supplySwitches++;
            return wanted;
        }

        @Override
        public List<CircuitInfo> circuits() {
            return List.of(new CircuitInfo("water-heater", "Water heater", CircuitKind.WATER_HEATER, false, true),
                    new CircuitInfo("fridge", "Fridge", CircuitKind.FRIDGE, true, true),
                    new CircuitInfo("washer", "Washing machine", CircuitKind.WASHING_MACHINE, false, false));
        }

        @Override
        public RelayState circuitRelay(String circuitId) {
            return relays.get(circuitId);
        }

        @Override
        public RelayState switchCircuit(String circuitId, RelayState wanted) {
            if (!relays.containsKey(circuitId) || "fridge".equals(circuitId)) {
                throw new IllegalArgumentException("circuit " + circuitId + " cannot be switched");
            }
            relays.put(circuitId, wanted);
            return wanted;
        }

        @Override
        public void scheduleRunning(String circuitId, String scheduleId) {
            if (scheduleId == null) {
                running.remove(circuitId);
            } else {
                running.put(circuitId, scheduleId);
            }
        }
    }

    @BeforeAll
    static void start() {
        ids = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl(broker.url());
        CommandSigningKey key = CommandSigningKey.generate();
        signer = key.signer();
        CommandKeySet.of(key.publicKey()).write(CommandKeys.defaultKeySetFile(dir));
        portal = TestClients.connect("127.0.0.1", broker.port(), ids.portal("circuit-portal"));
        observer = TestClients.connect("127.0.0.1", broker.port(), ids.ingest("circuit-observer"));
        observer.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> acks.add(CommandAck.decode(p.getPayloadAsBytes())));
        observer.subscribeWith().topicFilter("meters/+/command/ack").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @AfterAll
    static void stop() {
        portal.disconnect();
        observer.disconnect();
        broker.close();
    }

    /** The meter's connection, connected and subscribed, its schedules evaluated every 100 ms. */
    static MeterConnection connect(MeterDevice meter, MovingClock clock) throws Exception {
        Path state = dir.resolve(meter.meterId()).resolve("meter-state.json");
        Files.createDirectories(state.getParent());
        CommandGuard guard = CommandGuard.forStateFile(state, meter.meterId(),
                CommandTrust.load(CommandKeys.defaultKeySetFile(dir)), RelayRules.withMinSwitchInterval(Duration.ZERO));
        MeterConnection c = new MeterConnection(meter, ids.meter(meter.meterId()), settings, clock, guard, Duration.ofMillis(100));
        c.connect().get();
        String probe = "probe-" + UUID.randomUUID();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            portal.publishWith().topic("meters/" + meter.meterId() + "/command").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new CircuitCommand(probe, "water-heater", RelayState.ON, clock.instant()).encode()).send();
            return acks.stream().anyMatch(a -> a.commandId().equals(probe));
        });
        return c;
    }

    static CommandAck send(String topicMeter, String signedFor, MeterCommand unsigned) {
        String id = unsigned.commandId();
        portal.publishWith().topic("meters/" + topicMeter + "/command").qos(MqttQos.AT_LEAST_ONCE)
                .payload(signer.sign(signedFor, unsigned, Duration.ofMinutes(5)).encode()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> acks.stream().anyMatch(a -> a.commandId().equals(id)));
        return acks.stream().filter(a -> a.commandId().equals(id)).findFirst().orElseThrow();
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    @Test
    void switchCommand_switchesTheCircuit_andTheAckNamesItsMeasuredRelay_theSupplyRelayUntouched() throws Exception {
        Home home = new Home("IMS-CIRCUIT-SW");
        MovingClock clock = new MovingClock(Instant.parse("2026-11-29T10:00:00Z"));
        try (MeterConnection c = connect(home, clock)) {
            CommandAck on = send(home.id, home.id, new CircuitCommand(id(), "water-heater", RelayState.ON, clock.instant()));
            assertThat(on.ok()).as(on.error()).isTrue();
            assertThat(on.circuit()).isEqualTo("water-heater");
            assertThat(on.relay()).isEqualTo(RelayState.ON);
            assertThat(home.relays.get("water-heater")).isEqualTo(RelayState.ON);
            assertThat(home.supplySwitches).isZero();
        }
    }

    @Test
    void criticalCircuit_circuitWithoutRelay_andUnknownCircuit_areRefused_andNothingSwitches() throws Exception {
        Home home = new Home("IMS-CIRCUIT-REF");
        MovingClock clock = new MovingClock(Instant.parse("2026-11-29T10:00:00Z"));
        try (MeterConnection c = connect(home, clock)) {
            CommandAck fridge = send(home.id, home.id, new CircuitCommand(id(), "fridge", RelayState.OFF, clock.instant()));
            assertThat(fridge.ok()).isFalse();
            assertThat(fridge.error()).startsWith("critical: ");
            assertThat(fridge.relay()).isEqualTo(RelayState.ON);
            CommandAck fridgeSchedule = send(home.id, home.id, new ScheduleCommand(id(), "fridge",
                    new Schedule(ZoneOffset.UTC, List.of(Schedule.Window.of("00:00", "01:00")), null), clock.instant()));
            assertThat(fridgeSchedule.error()).startsWith("critical: ");
            assertThat(send(home.id, home.id, new CircuitCommand(id(), "washer", RelayState.OFF, clock.instant())).error())
                    .startsWith("not-switchable: ");
            CommandAck sauna = send(home.id, home.id, new CircuitCommand(id(), "sauna", RelayState.ON, clock.instant()));
            assertThat(sauna.error()).startsWith("unknown-circuit: ");
            assertThat(sauna.relay()).isNull();
            assertThat(home.relays).containsEntry("fridge", RelayState.ON).containsEntry("water-heater", RelayState.OFF);
            assertThat(home.running).isEmpty();
        }
    }

    @Test
    void commandSignedForAnotherMetersCircuit_isRefused() throws Exception {
        Home home = new Home("IMS-CIRCUIT-MINE");
        MovingClock clock = new MovingClock(Instant.parse("2026-11-29T10:00:00Z"));
        try (MeterConnection c = connect(home, clock)) {
            CommandAck ack = send(home.id, "IMS-CIRCUIT-NEIGHBOUR", new CircuitCommand(id(), "water-heater", RelayState.ON, clock.instant()));
            assertThat(ack.ok()).isFalse();
            assertThat(ack.error()).startsWith("bad-signature: ");
            assertThat(home.relays.get("water-heater")).isEqualTo(RelayState.OFF);
        }
    }

    @Test
    void schedule_isFollowedOnTheMeter_keptAcrossARestart_andACommandHoldsUntilTheNextBoundary() throws Exception {
        Home home = new Home("IMS-CIRCUIT-SCHED");
        MovingClock clock = new MovingClock(Instant.parse("2026-11-29T09:58:00Z"));
        Schedule tenToEleven = new Schedule(ZoneOffset.UTC, List.of(Schedule.Window.of("10:00", "11:00")), null);
        String scheduleId = id();
        try (MeterConnection c = connect(home, clock)) {
            CommandAck ack = send(home.id, home.id, new ScheduleCommand(scheduleId, "water-heater", tenToEleven, clock.instant()));
            assertThat(ack.ok()).as(ack.error()).isTrue();
            assertThat(home.running).containsEntry("water-heater", scheduleId);
            assertThat(home.relays.get("water-heater")).isEqualTo(RelayState.OFF);
            clock.now = Instant.parse("2026-11-29T10:00:30Z");
            await().atMost(Duration.ofSeconds(5)).until(() -> home.relays.get("water-heater") == RelayState.ON);
            // The consumer switches it off inside the window: it stays off until the window closes ...
            assertThat(send(home.id, home.id, new CircuitCommand(id(), "water-heater", RelayState.OFF, clock.instant())).ok()).isTrue();
            clock.now = Instant.parse("2026-11-29T10:30:00Z");
            // Several evaluations (every 100 ms): none may switch it back within the hold.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> home.relays.get("water-heater") == RelayState.OFF);
        }
        // ... and the schedule, kept on disk, runs again after a restart, with the network down (no connect).
        assertThat(ScheduleRunner.besides(dir.resolve(home.id).resolve("meter-state.json"))).exists();
        Home again = new Home(home.id);
        clock.now = Instant.parse("2026-11-30T10:15:00Z");
        Path state = dir.resolve(home.id).resolve("meter-state.json");
        try (MeterConnection offline = new MeterConnection(again, ids.meter(home.id), settings, clock, CommandGuard.forStateFile(state, home.id,
                CommandTrust.load(CommandKeys.defaultKeySetFile(dir)), RelayRules.withMinSwitchInterval(Duration.ZERO)), Duration.ofMillis(100))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> again.relays.get("water-heater") == RelayState.ON);
            assertThat(again.running).containsEntry("water-heater", scheduleId);
            clock.now = Instant.parse("2026-11-30T11:00:00Z");
            await().atMost(Duration.ofSeconds(5)).until(() -> again.relays.get("water-heater") == RelayState.OFF);
        }
    }

    @Test
    void meterWithoutCircuits_refusesCircuitCommands_unknownCircuit() throws Exception {
        MovingClock clock = new MovingClock(Instant.parse("2026-11-29T10:00:00Z"));
        MeterDevice plain = new MeterDevice() {
            @Override
            public String meterId() {
                return "IMS-CIRCUIT-NONE";
            }

            @Override
            public String claimVerifier() {
                return "unused";
            }

            @Override
            public RelayState relay() {
                return RelayState.ON;
            }

            @Override
            public RelayState switchRelay(RelayState wanted) {
                throw new AssertionError("the supply relay must not be switched");
            }
        };
        try (MeterConnection c = connect(plain, clock)) {
            CommandAck ack = send(plain.meterId(), plain.meterId(), new CircuitCommand(id(), "water-heater", RelayState.OFF, clock.instant()));
            assertThat(ack.ok()).isFalse();
            assertThat(ack.error()).startsWith("unknown-circuit: ");
        }
    }
}
