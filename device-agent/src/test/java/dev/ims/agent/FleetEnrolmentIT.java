package dev.ims.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.sun.net.httpserver.HttpServer;
import dev.ims.client.enrol.EnrolmentClient;
import dev.ims.client.enrol.EnrolmentRefusedException;
import dev.ims.client.enrol.MeterEnrolment;
import dev.ims.client.mqtt.MeterConnection;
import dev.ims.client.relay.CommandGuard;
import dev.ims.client.relay.RelayRules;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.CommandVerifier;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.security.Credential;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Meters enrol before they connect: a fleet enrols its members in parallel against a minimal in-test portal that
 * registers each meter's own secret with the test broker (what the real portal does through its broker accounts);
 * a meter the portal refuses never connects; the broker refuses a meter whose credential is not registered.
 */
class FleetEnrolmentIT {

    private static final String KEY = "fleet-key-for-tests";

    @TempDir
    static Path dir;

    static BrokerIdentities ids;
    static EmbeddedBroker broker;
    static ImsSettings settings;
    static Mqtt5BlockingClient observer;
    static final Map<String, StatusMessage> status = new ConcurrentHashMap<>();
    static final CommandKeySet PORTAL_KEYS = CommandKeySet.of(CommandSigningKey.generate().publicKey());

    @BeforeAll
    static void start() {
        ids = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl(broker.url());
        observer = TestClients.connect("127.0.0.1", broker.port(), ids.ingest("fleet-enrolment-observer"));
        observer.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
            StatusMessage s = StatusMessage.decode(null, p.getPayloadAsBytes());
            status.put(s.meterId(), s);
        });
        observer.subscribeWith().topicFilter("meters/+/status").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @AfterAll
    static void stop() {
        observer.disconnect();
        broker.close();
    }

    private static Fleet.Options options() {
        return new Fleet.Options(Duration.ofSeconds(1), 0, Duration.ofMinutes(15), 0);
    }

    @Test
    void aFleetOf20_enrolsInParallel_andEveryMemberConnectsWithItsOwnSecret_andTrustsTheDeliveredKeys() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        try (Portal portal = new Portal((meterId, secret) -> {
            mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            ids.meter(meterId, secret);
            sleep(100); // a portal's bcrypt-free but not free work
            inFlight.decrementAndGet();
            return 201;
        })) {
            List<Fleet.Member> members = Fleet.membersIn(dir.resolve("fleet"), 20, settings, options(), Clock.systemUTC());
            Fleet.Options enrolling = options().withEnrolment(portal.url(), KEY);
            try (Fleet fleet = Fleet.start(members, settings, enrolling, Clock.systemUTC(), null).get(30, TimeUnit.SECONDS)) {
                assertThat(fleet.meterIds()).hasSize(20);
                await().atMost(Duration.ofSeconds(15)).until(() -> members.stream()
                        .allMatch(m -> status.containsKey(m.meter().meterId()) && status.get(m.meter().meterId()).state() == ConnectionState.ONLINE));
            }
            assertThat(mostAtOnce.get()).as("enrolments at once").isGreaterThan(1);
            assertThat(portal.secrets.keySet()).hasSize(20);
            for (Fleet.Member m : members) {
                assertThat(portal.secrets.get(m.meter().meterId())).isEqualTo(m.meter().state().brokerSecret());
                assertThat(CommandKeySet.read(MeterEnrolment.commandKeysFile(m.stateFile())).keys()).isEqualTo(PORTAL_KEYS.keys());
            }
            // The key-set files beside the state files are not taken for meters.
            assertThat(Fleet.membersIn(dir.resolve("fleet"), 20, settings, options(), Clock.systemUTC())).noneMatch(Fleet.Member::isNew);
        }
    }

    @Test
    void aMeterThePortalRefuses_neverTriesTheBroker_andSaysWhatToDo() throws Exception {
        try (ServerSocket fakeBroker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Portal portal = new Portal((meterId, secret) -> 409)) {
            AtomicInteger attempts = new AtomicInteger();
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        fakeBroker.accept().close();
                        attempts.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            accept.setDaemon(true);
            accept.start();
            ImsSettings toFake = settings.withMqttUrl("tcp://127.0.0.1:" + fakeBroker.getLocalPort());
            Fleet.Member m = Fleet.fresh(dir.resolve("refused"), toFake, options(), Clock.systemUTC());

            assertThatThrownBy(() -> Fleet.start(List.of(m), toFake, options().withEnrolment(portal.url(), KEY), Clock.systemUTC(), null)
                    .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(EnrolmentRefusedException.class)
                    .hasMessageContaining(m.meter().meterId()).hasMessageContaining("cannot run");
            Thread.sleep(500);
            assertThat(attempts.get()).as("connections to the broker").isZero();
        }
    }

    @Test
    void aMeterWithAWrongCredential_isRefusedByTheBroker_withAClearLog_whileItsOwnCredentialWorks() throws Exception {
        Fleet.Member m = Fleet.fresh(dir.resolve("credential"), settings, options(), Clock.systemUTC());
        String id = m.meter().meterId();
        ids.meter(id, m.meter().state().brokerSecret());
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(MeterConnection.class);
        logger.addAppender(log);
        CommandVerifier verifier = new CommandVerifier(PORTAL_KEYS);
        try {
            try (MeterConnection wrong = new MeterConnection(m.meter(), new Credential(id, "not-its-secret"), settings, Clock.systemUTC(),
                    CommandGuard.forStateFile(m.stateFile(), id, verifier, RelayRules.withMinSwitchInterval(Duration.ZERO)))) {
                // The client keeps retrying (an operator may register the meter meanwhile): its first connect never succeeds.
                java.util.concurrent.CompletableFuture<Void> connecting = wrong.connect();
                await().atMost(Duration.ofSeconds(10)).until(() -> log.list.stream()
                        .anyMatch(e -> e.getFormattedMessage().contains("Meter " + id + " was refused by the broker")));
                Thread.sleep(1500);
                assertThat(connecting.isDone() && !connecting.isCompletedExceptionally()).as("connected").isFalse();
            }
            assertThat(log.list.stream().filter(e -> e.getFormattedMessage().contains("refused by the broker")).count()).as("logged once").isEqualTo(1);
            try (MeterConnection own = new MeterConnection(m.meter(), m.meter().state().credential(), settings, Clock.systemUTC(),
                    CommandGuard.forStateFile(m.stateFile(), id, verifier, RelayRules.withMinSwitchInterval(Duration.ZERO)))) {
                own.connect().get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> status.containsKey(id) && status.get(id).state() == ConnectionState.ONLINE);
            }
        } finally {
            logger.detachAppender(log);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The portal's enrolment resource, minimal: records each meter's secret, answers the status {@code decide} gives. */
    static final class Portal implements AutoCloseable {

        interface Decision {
            int status(String meterId, String secret);
        }

        final Map<String, String> secrets = new ConcurrentHashMap<>();
        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();

        Portal(Decision decide) throws java.io.IOException {
            JsonNode keys = keysJson();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext(EnrolmentClient.PATH, exchange -> {
                try (exchange) {
                    JsonNode req = Json.mapper().readTree(exchange.getRequestBody().readAllBytes());
                    String meterId = req.path("meterId").asText();
                    String secret = req.path("secret").asText();
                    int status = ("Bearer " + KEY).equals(exchange.getRequestHeaders().getFirst("Authorization")) ? decide.status(meterId, secret) : 401;
                    ObjectNode body = Json.mapper().createObjectNode();
                    if (status < 300) {
                        secrets.put(meterId, secret);
                        body.put("meterId", meterId).put("username", meterId).set("commandKeys", keys);
                    } else {
                        body.put("error", status == 409 ? "conflict" : "refused").put("message", "status " + status);
                    }
                    byte[] bytes = Json.bytes(body);
                    exchange.sendResponseHeaders(status, bytes.length);
                    exchange.getResponseBody().write(bytes);
                }
            });
            server.setExecutor(threads);
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private static JsonNode keysJson() throws java.io.IOException {
            Path tmp = Files.createTempFile("keys", ".json");
            try {
                PORTAL_KEYS.write(tmp);
                return Json.mapper().readTree(Files.readAllBytes(tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
