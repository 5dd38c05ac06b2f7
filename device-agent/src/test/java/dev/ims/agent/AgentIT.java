package dev.ims.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
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
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Simulated meters against the embedded broker, watched by a real subscriber. */
class AgentIT {

    private static final ReadingCodec CODEC = new ReadingCodec();

    @TempDir
    static Path dir;

    static EmbeddedBroker broker;
    static ImsSettings settings;
    static BrokerIdentities ids;
    static Mqtt5BlockingClient watcher;
    static Mqtt5BlockingClient portal;
    static final List<Reading> readings = new CopyOnWriteArrayList<>();
    /** Of {@link #readings}, those that came on {@code backlog} (history) rather than {@code reading}. */
    static final List<Reading> backlog = new CopyOnWriteArrayList<>();
    static final Map<String, StatusMessage> status = new ConcurrentHashMap<>();
    static final List<CommandAck> acks = new CopyOnWriteArrayList<>();
    static CommandSigner signer;

    @BeforeAll
    static void start() {
        ids = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl(broker.url());
        // The portal's part: its public key where meters look for it by default ({IMS_DATA_DIR}/keys/command-keys.json).
        CommandSigningKey key = CommandSigningKey.generate();
        signer = key.signer();
        CommandKeySet.of(key.publicKey()).write(CommandKeys.defaultKeySetFile(dir));
        // What the ingest sees (readings, status, acknowledgements), and the portal's right to command.
        watcher = TestClients.connect("127.0.0.1", broker.port(), ids.ingest("agent-it-watcher"));
        portal = TestClients.connect("127.0.0.1", broker.port(), ids.portal("agent-it-portal"));
        watcher.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
            String topic = p.getTopic().toString();
            if (topic.endsWith("/reading")) {
                readings.add(CODEC.decode(null, p.getPayloadAsBytes()));
            } else if (topic.endsWith("/backlog")) {
                Reading r = CODEC.decode(null, p.getPayloadAsBytes());
                backlog.add(r);
                readings.add(r);
            } else if (topic.endsWith("/status")) {
                StatusMessage s = StatusMessage.decode(null, p.getPayloadAsBytes());
                status.put(s.meterId(), s);
            } else if (topic.endsWith("/command/ack")) {
                acks.add(CommandAck.decode(p.getPayloadAsBytes()));
            }
        });
        for (String filter : List.of("meters/+/reading", "meters/+/backlog", "meters/+/status", "meters/+/command/ack")) {
            watcher.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        }
    }

    @AfterAll
    static void stop() {
        watcher.disconnect();
        portal.disconnect();
        broker.close();
    }

    private static Fleet.Options live(int historyDays) {
        return new Fleet.Options(Duration.ofMillis(200), historyDays, Duration.ofMinutes(15), 0);
    }

    private static List<Reading> of(String meterId) {
        return readings.stream().filter(r -> r.meterId().equals(meterId)).toList();
    }

    @Test
    void meter_publishesGrowingReadings_announcesItself_andAnswersRelayCommands() throws Exception {
        Fleet.Member m = Fleet.fresh(dir.resolve("agents"), settings, live(0), Clock.systemUTC());
        String id = m.meter().meterId();
        TestClients.register(ids, List.of(m));
        try (Fleet fleet = Fleet.start(List.of(m), settings, live(0), Clock.systemUTC(), null).get()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> of(id).size() >= 3);
            List<Reading> rs = of(id);
            for (int i = 1; i < rs.size(); i++) {
                assertThat(rs.get(i).seq()).isEqualTo(rs.get(i - 1).seq() + 1);
                assertThat(rs.get(i).energyKwh()).isGreaterThanOrEqualTo(rs.get(i - 1).energyKwh());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> status.containsKey(id) && status.get(id).state() == ConnectionState.ONLINE);
            // The birth carries neither the claim code nor its verifier (the verifier reaches the portal at enrolment).
            String code = m.meter().state().claimCode();
            assertThat(status.get(id).encode()).asString(java.nio.charset.StandardCharsets.UTF_8).doesNotContain(code.replace("-", ""))
                    .doesNotContain(code).doesNotContain(m.meter().state().claimVerifier()).doesNotContain(m.meter().state().brokerSecret());
            // The birth describes the simulated home's circuits; every reading carries their values.
            assertThat(status.get(id).circuits()).isEqualTo(m.meter().circuits()).isNotEmpty();
            assertThat(of(id).get(of(id).size() - 1).circuits()).extracting(dev.ims.model.circuit.CircuitReading::id)
                    .containsExactlyElementsOf(m.meter().circuits().stream().map(dev.ims.model.circuit.CircuitInfo::id).toList());

            portal.publishWith().topic("meters/" + id + "/command").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(signer.sign(id, new RelayCommand("cmd-1", RelayState.OFF, Instant.now()), Duration.ofMinutes(5)).encode()).send();
            await().atMost(Duration.ofSeconds(5)).until(() -> acks.stream().anyMatch(a -> a.commandId().equals("cmd-1")));
            CommandAck ack = acks.stream().filter(a -> a.commandId().equals("cmd-1")).findFirst().orElseThrow();
            assertThat(ack.ok()).isTrue();
            assertThat(ack.relay()).isEqualTo(RelayState.OFF);
            int seen = of(id).size();
            await().atMost(Duration.ofSeconds(5)).until(() -> of(id).size() >= seen + 2);
            Reading last = of(id).get(of(id).size() - 1);
            assertThat(last.relay()).isEqualTo(RelayState.OFF);
            assertThat(last.powerW()).isZero();
            assertThat(last.circuits()).as("no circuit draws with the supply OFF").allSatisfy(c -> assertThat(c.powerW()).isZero());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> status.get(id).state() == ConnectionState.OFFLINE);

        int before = of(id).size();
        Reading lastBefore = of(id).get(before - 1);
        Fleet.Member resumed = Fleet.existing(m.stateFile(), settings, live(0));
        try (Fleet fleet = Fleet.start(List.of(resumed), settings, live(0), Clock.systemUTC(), null).get()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> of(id).size() > before);
            Reading next = of(id).get(before);
            assertThat(next.seq()).isEqualTo(lastBefore.seq() + 1);
            assertThat(next.energyKwh()).isGreaterThanOrEqualTo(lastBefore.energyKwh());
        }
    }

    @Test
    void fleet_publishesEveryNewMetersHistory_thenGoesLive_andResumesTheSameMeters() throws Exception {
        Path fleetDir = dir.resolve("fleet");
        List<Fleet.Member> members = Fleet.membersIn(fleetDir, 3, settings, live(1), Clock.systemUTC());
        Set<String> meterIds = Set.copyOf(members.stream().map(x -> x.meter().meterId()).toList());
        TestClients.register(ids, members);
        try (Fleet fleet = Fleet.start(members, settings, live(1), Clock.systemUTC(), null).get()) {
            fleet.historyDone().get();
            await().atMost(Duration.ofSeconds(10)).until(() -> meterIds.stream().allMatch(id -> of(id).size() >= 96 + 1));
            for (String id : meterIds) {
                List<Reading> rs = of(id);
                assertThat(rs.subList(0, 96)).extracting(Reading::seq).doesNotHaveDuplicates();
                assertThat(rs.get(0).ts()).isBefore(Instant.now().minus(Duration.ofHours(23)));
                // History on backlog (the ingest serves it beside live readings), then live readings on reading.
                assertThat(backlog.stream().filter(r -> r.meterId().equals(id)).map(Reading::seq).toList())
                        .containsExactlyElementsOf(rs.subList(0, 96).stream().map(Reading::seq).toList());
                assertThat(rs.subList(96, rs.size())).noneMatch(backlog::contains);
            }
        }
        List<Fleet.Member> again = Fleet.membersIn(fleetDir, 3, settings, live(1), Clock.systemUTC());
        assertThat(again).extracting(x -> x.meter().meterId()).containsExactlyInAnyOrderElementsOf(meterIds);
        assertThat(again).noneMatch(Fleet.Member::isNew);
    }
}
