package dev.ims.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.command.CommandAck;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * A simulated meter refusing relay commands it must not carry out, over the embedded broker with a real
 * client in the portal's place: future- and past-dated commands, a replayed command ID (also after the
 * agent restarts on the same data folder) and a second switch within the minimum interval.
 */
class RelayCommandRulesIT {

    @TempDir
    static Path dir;

    static EmbeddedBroker broker;
    static ImsSettings settings;
    static BrokerIdentities ids;
    /** Publishes commands, as the portal does. */
    static Mqtt5BlockingClient portal;
    /** Sees the acknowledgements and the status, as the ingest does. */
    static Mqtt5BlockingClient observer;
    static final List<CommandAck> acks = new CopyOnWriteArrayList<>();
    static final Map<String, StatusMessage> status = new ConcurrentHashMap<>();
    static CommandSigner signer;

    @BeforeAll
    static void start() {
        ids = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl(broker.url());
        // The portal's part: its public key where meters look for it by default; every command below is signed.
        CommandSigningKey key = CommandSigningKey.generate();
        signer = key.signer();
        CommandKeySet.of(key.publicKey()).write(CommandKeys.defaultKeySetFile(dir));
        portal = TestClients.connect("127.0.0.1", broker.port(), ids.portal("relay-rules-portal"));
        observer = TestClients.connect("127.0.0.1", broker.port(), ids.ingest("relay-rules-observer"));
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
    }

    @AfterAll
    static void stop() {
        portal.disconnect();
        observer.disconnect();
        broker.close();
    }

    private static Fleet.Options options(Duration minSwitchInterval) {
        return new Fleet.Options(Duration.ofMillis(200), 0, Duration.ofMinutes(15), 0).withMinSwitchInterval(minSwitchInterval);
    }

    /** Starts the meter and waits until it is subscribed to its commands (its birth follows the subscription request). */
    private static Fleet started(Fleet.Member m, Duration minSwitchInterval) throws Exception {
        status.remove(m.meter().meterId());
        TestClients.register(ids, List.of(m));
        Fleet fleet = Fleet.start(List.of(m), settings, options(minSwitchInterval), Clock.systemUTC(), null).get();
        await().atMost(Duration.ofSeconds(10)).until(() -> status.containsKey(m.meter().meterId())
                && status.get(m.meter().meterId()).state() == ConnectionState.ONLINE);
        return fleet;
    }

    /** Sends a command, signed as the portal signs it (valid 5 minutes from its ts), and waits for its acknowledgement. */
    private static CommandAck send(String meterId, String commandId, RelayState relay, Instant ts) {
        int before = (int) acks.stream().filter(a -> a.commandId().equals(commandId)).count();
        portal.publishWith().topic("meters/" + meterId + "/command").qos(MqttQos.AT_LEAST_ONCE)
                .payload(signer.sign(meterId, new RelayCommand(commandId, relay, ts), Duration.ofMinutes(5)).encode()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> acks.stream().filter(a -> a.commandId().equals(commandId)).count() > before);
        List<CommandAck> mine = acks.stream().filter(a -> a.commandId().equals(commandId)).toList();
        return mine.get(mine.size() - 1);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    @Test
    void datedCommands_outsideTheValidityWindow_areRefused_inTheFutureAsInThePast_andTheRelayStays() throws Exception {
        Fleet.Member m = Fleet.fresh(dir.resolve("dated"), settings, options(Duration.ZERO), Clock.systemUTC());
        String meter = m.meter().meterId();
        try (Fleet fleet = started(m, Duration.ZERO)) {
            awaitSubscribed(meter);
            CommandAck future = send(meter, id(), RelayState.OFF, Instant.now().plus(Duration.ofMinutes(6)));
            assertThat(future.ok()).isFalse();
            assertThat(future.error()).startsWith("future: ");
            assertThat(future.relay()).isEqualTo(RelayState.ON);

            CommandAck past = send(meter, id(), RelayState.OFF, Instant.now().minus(Duration.ofMinutes(6)));
            assertThat(past.ok()).isFalse();
            assertThat(past.error()).startsWith("expired: ");
            assertThat(m.meter().relay()).isEqualTo(RelayState.ON);

            CommandAck slightlyAhead = send(meter, id(), RelayState.OFF, Instant.now().plus(Duration.ofMinutes(4)));
            assertThat(slightlyAhead.ok()).isTrue();
            assertThat(slightlyAhead.relay()).isEqualTo(RelayState.OFF);
        }
    }

    @Test
    void replayedCommandId_isRefused_alsoAfterTheAgentRestarts_andTheRelayStaysAsSwitched() throws Exception {
        Fleet.Member m = Fleet.fresh(dir.resolve("replay"), settings, options(Duration.ZERO), Clock.systemUTC());
        String meter = m.meter().meterId();
        String off = id();
        Instant ts = Instant.now();
        try (Fleet fleet = started(m, Duration.ZERO)) {
            awaitSubscribed(meter);
            assertThat(send(meter, off, RelayState.OFF, ts).ok()).isTrue();
            CommandAck again = send(meter, off, RelayState.OFF, ts);
            assertThat(again.ok()).isFalse();
            assertThat(again.error()).startsWith("duplicate: ");
        }
        assertThat(MeterStateFile.load(m.stateFile()).relay()).isEqualTo(RelayState.OFF);

        Fleet.Member resumed = Fleet.existing(m.stateFile(), settings, options(Duration.ZERO));
        assertThat(resumed.meter().relay()).isEqualTo(RelayState.OFF);
        try (Fleet fleet = started(resumed, Duration.ZERO)) {
            awaitSubscribed(meter);
            CommandAck afterRestart = send(meter, off, RelayState.OFF, ts);
            assertThat(afterRestart.ok()).isFalse();
            assertThat(afterRestart.error()).startsWith("duplicate: ");
            // The same ID asking for ON is still the same command: refused, the relay stays OFF.
            CommandAck flipped = send(meter, off, RelayState.ON, ts);
            assertThat(flipped.ok()).isFalse();
            assertThat(resumed.meter().relay()).isEqualTo(RelayState.OFF);
        }
    }

    @Test
    void secondSwitch_withinTheMinimumInterval_isRefusedAfterTheFirstWasAccepted_alsoAfterARestart_whileANoOpIsAcknowledged() throws Exception {
        Duration hour = Duration.ofHours(1);
        Fleet.Member m = Fleet.fresh(dir.resolve("interval"), settings, options(hour), Clock.systemUTC());
        String meter = m.meter().meterId();
        try (Fleet fleet = started(m, hour)) {
            awaitSubscribed(meter);
            CommandAck first = send(meter, id(), RelayState.OFF, Instant.now());
            assertThat(first.ok()).isTrue();
            assertThat(first.relay()).isEqualTo(RelayState.OFF);

            CommandAck same = send(meter, id(), RelayState.OFF, Instant.now());
            assertThat(same.ok()).as("already OFF: nothing to switch").isTrue();
            assertThat(same.error()).isNull();

            CommandAck second = send(meter, id(), RelayState.ON, Instant.now());
            assertThat(second.ok()).isFalse();
            assertThat(second.error()).startsWith("too-soon: ");
            assertThat(second.relay()).isEqualTo(RelayState.OFF);
        }
        Fleet.Member resumed = Fleet.existing(m.stateFile(), settings, options(hour));
        try (Fleet fleet = started(resumed, hour)) {
            awaitSubscribed(meter);
            CommandAck afterRestart = send(meter, id(), RelayState.ON, Instant.now());
            assertThat(afterRestart.ok()).isFalse();
            assertThat(afterRestart.error()).startsWith("too-soon: ");
            assertThat(resumed.meter().relay()).isEqualTo(RelayState.OFF);
        }
    }

    /**
     * The meter subscribes to its commands right after its birth; an answered probe command shows the
     * subscription is in place.
     */
    private static void awaitSubscribed(String meter) {
        String prefix = "probe-" + meter + "-";
        acks.removeIf(a -> a.commandId().startsWith(prefix));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            // An unsigned probe: refused without touching the relay, the journal or the interval.
            portal.publishWith().topic("meters/" + meter + "/command").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new RelayCommand(prefix + id(), RelayState.ON, Instant.now()).encode()).send();
            return acks.stream().anyMatch(a -> a.commandId().startsWith(prefix));
        });
    }
}
