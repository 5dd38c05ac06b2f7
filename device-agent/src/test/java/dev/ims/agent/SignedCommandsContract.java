package dev.ims.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.model.command.CommandAck;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.reading.RelayState;
import dev.ims.model.security.Credential;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * A running simulated meter and a real client in the place of anyone who can publish on the broker: only
 * a command signed for this meter by a key in its key set, and not expired, switches the relay; everything
 * else is acknowledged {@code ok:false} with its reason and the relay stays. Run against each broker by a
 * subclass, which calls {@link #startMeter} and {@link #stopMeter}. With broker security, "anyone who can publish
 * on the command topic" is the holder of a portal identity: the attacker below is one.
 */
abstract class SignedCommandsContract {

    /** How a subclass's broker gives out identities. */
    interface Identities {
        /** Registers the meter's own secret (what its enrolment does). */
        Credential meter(String meterId, String secret);

        Credential portal(String name);

        Credential ingest(String name);
    }

    static ImsSettings settings;
    static Identities ids;
    /** Publishes commands with a portal identity. */
    static Mqtt5BlockingClient attacker;
    /** Sees acknowledgements and status with an ingest identity. */
    static Mqtt5BlockingClient observer;
    static Fleet fleet;
    static Fleet.Member meter;
    static Fleet.Options options;
    static CommandSigner portal;
    static final CommandSigner STRANGER = CommandSigningKey.generate().signer();
    static final List<CommandAck> acks = new CopyOnWriteArrayList<>();
    static final Map<String, StatusMessage> status = new ConcurrentHashMap<>();

    /** Writes the portal's key set where the meter looks by default, starts one meter on {@code mqttUrl}. */
    static void startMeter(String mqttUrl, Path dataDir, Identities identities) throws Exception {
        ids = identities;
        acks.clear();
        status.clear();
        settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dataDir.toString()), Map.of()).withMqttUrl(mqttUrl);
        CommandSigningKey key = CommandSigningKey.generate();
        portal = key.signer();
        CommandKeySet.of(key.publicKey()).write(CommandKeys.defaultKeySetFile(dataDir));

        MqttEndpoint endpoint = settings.mqttEndpoint().orElseThrow();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        attacker = TestClients.connect(endpoint.host(), endpoint.port(), ids.portal("signed-commands-" + suffix));
        observer = TestClients.connect(endpoint.host(), endpoint.port(), ids.ingest("signed-commands-observer-" + suffix));
        observer.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
            String topic = p.getTopic().toString();
            if (topic.endsWith("/command/ack")) {
                acks.add(CommandAck.decode(p.getPayloadAsBytes()));
            } else if (topic.endsWith("/status")) {
                StatusMessage s = StatusMessage.decode(null, p.getPayloadAsBytes());
                status.put(s.meterId(), s);
            }
        });
        observer.subscribeWith().topicFilter("meters/+/command/ack").qos(MqttQos.AT_LEAST_ONCE).send();
        observer.subscribeWith().topicFilter("meters/+/status").qos(MqttQos.AT_LEAST_ONCE).send();

        options = new Fleet.Options(Duration.ofMillis(500), 0, Duration.ofMinutes(15), 0).withMinSwitchInterval(Duration.ZERO);
        meter = Fleet.fresh(dataDir.resolve("agents"), settings, options, Clock.systemUTC());
        ids.meter(meter.meter().meterId(), meter.meter().state().brokerSecret());
        fleet = Fleet.start(List.of(meter), settings, options, Clock.systemUTC(), null).get();
        String id = meter.meter().meterId();
        await().atMost(Duration.ofSeconds(10)).until(() -> status.containsKey(id) && status.get(id).state() == ConnectionState.ONLINE);
        awaitSubscribed(id);
    }

    static void stopMeter() {
        if (fleet != null) {
            fleet.close();
        }
        if (attacker != null) {
            attacker.disconnect();
        }
        if (observer != null) {
            observer.disconnect();
        }
    }

    private static String meterId() {
        return meter.meter().meterId();
    }

    private static RelayState flipped() {
        return meter.meter().relay() == RelayState.ON ? RelayState.OFF : RelayState.ON;
    }

    /** Publishes {@code payload} on the meter's command topic and waits for the acknowledgement of {@code commandId}. */
    private static CommandAck send(String commandId, byte[] payload) {
        long before = acks.stream().filter(a -> a.commandId().equals(commandId)).count();
        attacker.publishWith().topic("meters/" + meterId() + "/command").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> acks.stream().filter(a -> a.commandId().equals(commandId)).count() > before);
        List<CommandAck> mine = acks.stream().filter(a -> a.commandId().equals(commandId)).toList();
        return mine.get(mine.size() - 1);
    }

    /** Each builds, for (this meter's ID, the relay state to ask for), a command the meter must refuse. */
    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("unsigned", "unsigned: ", (BiFunction<String, RelayState, RelayCommand>) (meter, relay) ->
                        new RelayCommand(id(), relay, Instant.now())),
                Arguments.of("signed by a key the meter does not trust", "unknown-key: ", (BiFunction<String, RelayState, RelayCommand>) (meter, relay) ->
                        STRANGER.sign(meter, new RelayCommand(id(), relay, Instant.now()), Duration.ofMinutes(5))),
                Arguments.of("forged: signed by a stranger under the portal's key ID", "bad-signature: ",
                        (BiFunction<String, RelayState, RelayCommand>) (meter, relay) -> {
                            RelayCommand c = STRANGER.sign(meter, new RelayCommand(id(), relay, Instant.now()), Duration.ofMinutes(5));
                            return c.withSignature(c.expiresAt(), portal.keyId(), c.sig());
                        }),
                Arguments.of("altered: the portal's command with its relay state changed", "bad-signature: ",
                        (BiFunction<String, RelayState, RelayCommand>) (meter, relay) -> {
                            RelayState other = relay == RelayState.ON ? RelayState.OFF : RelayState.ON;
                            RelayCommand c = portal.sign(meter, new RelayCommand(id(), other, Instant.now()), Duration.ofMinutes(5));
                            return new RelayCommand(c.commandId(), relay, c.ts(), c.expiresAt(), c.keyId(), c.sig());
                        }),
                Arguments.of("signed for another meter, replayed on this meter's topic", "bad-signature: ",
                        (BiFunction<String, RelayState, RelayCommand>) (meter, relay) ->
                                portal.sign("IMS-ANOTHER-METER", new RelayCommand(id(), relay, Instant.now()), Duration.ofMinutes(5))),
                Arguments.of("expired", "expired: ", (BiFunction<String, RelayState, RelayCommand>) (meter, relay) -> {
                    Instant ts = Instant.now().minus(Duration.ofMinutes(2));
                    return portal.sign(meter, new RelayCommand(id(), relay, ts), ts.plus(Duration.ofMinutes(1)));
                }),
                Arguments.of("signed valid for 30 days: longer than a meter accepts", "expired: ",
                        (BiFunction<String, RelayState, RelayCommand>) (meter, relay) ->
                                portal.sign(meter, new RelayCommand(id(), relay, Instant.now()), Duration.ofDays(30))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void commandNotSignedForThisMeterByATrustedKey_isRefused_andTheRelayStays(String what, String errorPrefix,
            BiFunction<String, RelayState, RelayCommand> command) {
        RelayState before = meter.meter().relay();
        RelayCommand c = command.apply(meterId(), flipped());
        CommandAck ack = send(c.commandId(), c.encode());
        assertThat(ack.ok()).isFalse();
        assertThat(ack.error()).startsWith(errorPrefix);
        assertThat(ack.relay()).isEqualTo(before);
        assertThat(meter.meter().relay()).isEqualTo(before);
    }

    @Test
    void commandSignedForThisMeterByThePortal_isCarriedOut_andItsReplay_isRefused() {
        RelayState target = flipped();
        RelayCommand c = portal.sign(meterId(), new RelayCommand(id(), target, Instant.now()), Duration.ofMinutes(5));
        byte[] payload = c.encode();
        CommandAck ack = send(c.commandId(), payload);
        assertThat(ack.ok()).isTrue();
        assertThat(ack.relay()).isEqualTo(target);
        assertThat(meter.meter().relay()).isEqualTo(target);

        CommandAck replayed = send(c.commandId(), payload);
        assertThat(replayed.ok()).isFalse();
        assertThat(replayed.error()).startsWith("duplicate: ");
        assertThat(meter.meter().relay()).isEqualTo(target);
        assertThat(new String(payload, StandardCharsets.UTF_8)).contains("\"keyId\":\"" + portal.keyId() + "\"");
    }

    @Test
    void queuedCommand_withATsHoursOld_isCarriedOutWhileValid_andItsReplayAfterARestart_isRefusedAsDuplicate() throws Exception {
        RelayState target = flipped();
        Instant queuedAt = Instant.now().minus(Duration.ofHours(20));
        RelayCommand c = portal.sign(meterId(), new RelayCommand(id(), target, queuedAt), Duration.ofHours(24));
        byte[] payload = c.encode();
        CommandAck ack = send(c.commandId(), payload);
        assertThat(ack.ok()).as(ack.error()).isTrue();
        assertThat(meter.meter().relay()).isEqualTo(target);

        // Restarted from its state file: the journal still holds the ID, though the ts is hours outside the old 5-minute window.
        fleet.close();
        String id = meterId();
        await().atMost(Duration.ofSeconds(10)).until(() -> status.get(id).state() == ConnectionState.OFFLINE);
        meter = Fleet.existing(meter.stateFile(), settings, options);
        fleet = Fleet.start(List.of(meter), settings, options, Clock.systemUTC(), null).get();
        await().atMost(Duration.ofSeconds(10)).until(() -> status.get(id).state() == ConnectionState.ONLINE);
        awaitSubscribed(id);
        CommandAck replayed = send(c.commandId(), payload);
        assertThat(replayed.ok()).isFalse();
        assertThat(replayed.error()).startsWith("duplicate: ");
        assertThat(meter.meter().relay()).isEqualTo(target);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    /** An unsigned probe is answered (refused) once the meter's command subscription is in place. */
    private static void awaitSubscribed(String meter) {
        String prefix = "probe-" + meter + "-";
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            attacker.publishWith().topic("meters/" + meter + "/command").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new RelayCommand(prefix + id(), RelayState.ON, Instant.now()).encode()).send();
            return acks.stream().anyMatch(a -> a.commandId().startsWith(prefix));
        });
    }
}
