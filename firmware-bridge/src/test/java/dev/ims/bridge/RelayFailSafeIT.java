package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import dev.ims.embedded.testing.ChildJvm;
import dev.ims.model.command.CommandAck;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.RelayState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge's relay fails safe (issue 9), on Pi4J's mock GPIO against the embedded broker with a real
 * client in the portal's place: a supply switched OFF stays OFF across a stop and a restart, and across
 * a {@code kill -9} of the bridge's JVM and a restart; the safe-state option drives its state at a stop.
 */
class RelayFailSafeIT {

    private static final int RELAY_PIN = 27;

    @TempDir
    static Path dir;

    static EmbeddedBroker broker;
    static ImsSettings settings;
    static BrokerIdentities ids;
    /** Publishes commands, as the portal does. */
    static Mqtt5BlockingClient portal;
    /** Sees the acknowledgements, as the ingest does. */
    static Mqtt5BlockingClient observer;
    static final List<CommandAck> acks = new CopyOnWriteArrayList<>();
    static CommandSigner signer;
    static Path keySet;

    @BeforeAll
    static void start() {
        ids = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl(broker.url());
        // The portal's key: its public half where the bridge looks by default; the killed bridge's JVM gets it by option.
        CommandSigningKey key = CommandSigningKey.generate();
        signer = key.signer();
        keySet = CommandKeys.defaultKeySetFile(dir);
        CommandKeySet.of(key.publicKey()).write(keySet);
        portal = connect(ids.portal("relay-failsafe-portal"));
        observer = connect(ids.ingest("relay-failsafe-observer"));
        observer.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> acks.add(CommandAck.decode(p.getPayloadAsBytes())));
        observer.subscribeWith().topicFilter("meters/+/command/ack").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @AfterAll
    static void stop() {
        portal.disconnect();
        observer.disconnect();
        broker.close();
    }

    /** A raw client with its own identity (client ID = username). */
    private static Mqtt5BlockingClient connect(Credential c) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        client.connect();
        return client;
    }

    private static Bridge.Options options(Path stateFile, RelayState safeState) {
        return new Bridge.Options(stateFile, RELAY_PIN, false, -1, Duration.ofSeconds(1), 100.0, 1_000, safeState, Duration.ZERO);
    }

    private static Bridge start(Context pi4j, Path stateFile, RelayState safeState) throws Exception {
        return Bridge.start(pi4j, settings, options(stateFile, safeState), new S0Source(new S0Counter(pi4j, 17, false, 5_000), 1_000),
                Clock.systemUTC());
    }

    private static Path newMeter(String name) {
        Path file = dir.resolve(name).resolve("meter.json");
        MeterState state = MeterState.newMeter(100, null);
        MeterStateFile.save(file, state);
        ids.meter(state.meterId(), state.brokerSecret()); // what its enrolment would do
        return file;
    }

    @Test
    void supplySwitchedOff_staysOff_acrossAStopAndARestart_andTheCommandCannotBeReplayed() throws Exception {
        Path file = newMeter("stop");
        String meter = MeterStateFile.load(file).meterId();
        Context first = BridgeMain.mockContext();
        DigitalOutput pin;
        String off = UUID.randomUUID().toString();
        Instant ts = Instant.now();
        try (Bridge bridge = start(first, file, null)) {
            pin = first.io("relay-" + RELAY_PIN);
            assertThat(pin.state()).isEqualTo(DigitalState.HIGH);
            awaitSubscribed(meter);
            CommandAck ack = send(meter, off, RelayState.OFF, ts);
            assertThat(ack.ok()).isTrue();
            assertThat(pin.state()).isEqualTo(DigitalState.LOW);
        } finally {
            first.shutdown();
        }
        assertThat(pin.state()).as("after the stop: not back to the start-up state").isEqualTo(DigitalState.LOW);

        Context second = BridgeMain.mockContext();
        try (Bridge bridge = start(second, file, null)) {
            DigitalOutput again = second.io("relay-" + RELAY_PIN);
            assertThat(again.state()).as("driven OFF from the start").isEqualTo(DigitalState.LOW);
            assertThat(bridge.meter().relay()).isEqualTo(RelayState.OFF);
            awaitSubscribed(meter);
            CommandAck replay = send(meter, off, RelayState.OFF, ts);
            assertThat(replay.ok()).isFalse();
            assertThat(replay.error()).startsWith("duplicate: ");
        } finally {
            second.shutdown();
        }
    }

    @Test
    void supplySwitchedOff_staysOff_whenTheBridgeIsKilledWithSigkill_andStartedAgain() throws Exception {
        Path file = newMeter("kill");
        MeterState state = MeterStateFile.load(file);
        String meter = state.meterId();
        String off = UUID.randomUUID().toString();
        Instant ts = Instant.now();
        Path log = Files.createDirectories(Path.of("target", "relay-kill-it")).resolve("bridge.log");
        try (ChildJvm bridge = ChildJvm.start("dev.ims.bridge.BridgeMain", List.of("--mock", "--mqtt-url", broker.url(), "--state-file",
                file.toString(), "--relay-pin", Integer.toString(RELAY_PIN), "--min-switch-interval", "0", "--interval-seconds", "1", "--command-keys", keySet.toString()), Map.of(),
                log, "Bridge for meter", Duration.ofSeconds(60))) {
            awaitSubscribed(meter);
            CommandAck ack = send(meter, off, RelayState.OFF, ts);
            assertThat(ack.ok()).isTrue();
            assertThat(ack.relay()).isEqualTo(RelayState.OFF);
            bridge.kill9();
        }
        assertThat(MeterStateFile.load(file).relay()).isEqualTo(RelayState.OFF);

        Context pi4j = BridgeMain.mockContext();
        try (Bridge bridge = start(pi4j, file, null)) {
            DigitalOutput pin = pi4j.io("relay-" + RELAY_PIN);
            assertThat(pin.state()).as("driven OFF from the start").isEqualTo(DigitalState.LOW);
            assertThat(bridge.meter().relay()).isEqualTo(RelayState.OFF);
            awaitSubscribed(meter);
            CommandAck replay = send(meter, off, RelayState.OFF, ts);
            assertThat(replay.ok()).as("the journal survived the kill").isFalse();
            assertThat(replay.error()).startsWith("duplicate: ");
        } finally {
            pi4j.shutdown();
        }
    }

    @Test
    void withASafeStateOff_aStopDrivesTheRelayOff_andTheNextStartDrivesTheSavedStateAgain() throws Exception {
        Path file = newMeter("safe");
        Context first = BridgeMain.mockContext();
        DigitalOutput pin;
        try (Bridge bridge = start(first, file, RelayState.OFF)) {
            pin = first.io("relay-" + RELAY_PIN);
            assertThat(pin.state()).isEqualTo(DigitalState.HIGH);
        } finally {
            first.shutdown();
        }
        assertThat(pin.state()).as("the safe state while the bridge is stopped").isEqualTo(DigitalState.LOW);

        Context second = BridgeMain.mockContext();
        try (Bridge bridge = start(second, file, RelayState.OFF)) {
            assertThat(second.<DigitalOutput>io("relay-" + RELAY_PIN).state()).as("the saved state, ON").isEqualTo(DigitalState.HIGH);
        } finally {
            second.shutdown();
        }
    }

    private static CommandAck send(String meterId, String commandId, RelayState relay, Instant ts) {
        long before = acks.stream().filter(a -> a.commandId().equals(commandId)).count();
        portal.publishWith().topic("meters/" + meterId + "/command").qos(MqttQos.AT_LEAST_ONCE)
                .payload(signer.sign(meterId, new RelayCommand(commandId, relay, ts), Duration.ofMinutes(5)).encode()).send();
        await().atMost(Duration.ofSeconds(15)).until(() -> acks.stream().filter(a -> a.commandId().equals(commandId)).count() > before);
        List<CommandAck> mine = acks.stream().filter(a -> a.commandId().equals(commandId)).toList();
        return mine.get(mine.size() - 1);
    }

    /** An answered probe shows the bridge is subscribed to its commands; unsigned, it changes nothing. */
    private static void awaitSubscribed(String meter) {
        String prefix = "probe-" + meter + "-";
        acks.removeIf(a -> a.commandId().startsWith(prefix));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            portal.publishWith().topic("meters/" + meter + "/command").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new RelayCommand(prefix + UUID.randomUUID(), RelayState.ON, Instant.now()).encode()).send();
            return acks.stream().anyMatch(a -> a.commandId().startsWith(prefix));
        });
    }
}
