package dev.ims.embedded.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Who may do what on a broker (the rights table, {@code BrokerRights}), checked with real MQTT 5 clients over real
 * sockets. Every broker the project supports runs it ({@link EmbeddedBrokerSecurityIT}, {@link MosquittoBrokerSecurityIT});
 * where the brokers answer with different reason codes, the subclass says which.
 *
 * <p>"Never receives" is checked by a legitimate subscriber that stays subscribed to everything the forbidden message
 * could reach, for {@link #QUIET} after the attempt; a permitted message on the same path, sent afterwards, shows the
 * subscriber was listening. One broker serves the whole class (starting one takes seconds); each test uses identities
 * of its own names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrokerSecurityContract {

    static final Duration QUIET = Duration.ofMillis(1500);
    static final Duration WAIT = Duration.ofSeconds(10);

    protected SecuredBroker broker;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();
    /** The reason of the last DISCONNECT the broker sent each client ID. */
    private final java.util.Map<String, Mqtt5DisconnectReasonCode> serverDisconnects = new java.util.concurrent.ConcurrentHashMap<>();

    /** Starts a broker that knows no identity yet. */
    protected abstract SecuredBroker startBroker() throws Exception;

    /** The CONNACK code for no credential, an unknown one or a wrong secret. */
    protected abstract Mqtt5ConnAckReasonCode badCredentialCode();

    /**
     * Whether the broker closes the connection after refusing a PUBLISH (DISCONNECT {@code NOT_AUTHORIZED}), MQTT 5 clients
     * included, rather than only answering PUBACK {@code NOT_AUTHORIZED}.
     */
    protected abstract boolean disconnectsOnRefusedPublish();

    /** The CONNACK code for a right credential with another client ID. */
    protected abstract Mqtt5ConnAckReasonCode wrongClientIdCode();

    /** The DISCONNECT reason code a connected meter gets when its credential is revoked. */
    protected abstract Mqtt5DisconnectReasonCode revokedCode();

    @BeforeAll
    void startIt() throws Exception {
        broker = startBroker();
    }

    @AfterAll
    void stopIt() throws Exception {
        broker.close();
    }

    @AfterEach
    void disconnectClients() {
        for (Mqtt5BlockingClient c : clients) {
            if (c.getState().isConnected()) {
                try {
                    c.disconnect();
                } catch (RuntimeException ignored) {
                    // already going
                }
            }
        }
        clients.clear();
    }

    @Test
    void anonymousClient_isRefused() {
        assertThat(connackOf(client("IMS-ANON-1", null))).isEqualTo(badCredentialCode());
    }

    @Test
    void wrongSecret_isRefused() {
        broker.meter("IMS-WRONG-1");
        assertThat(connackOf(client("IMS-WRONG-1", new Credential("IMS-WRONG-1", "not-its-secret")))).isEqualTo(badCredentialCode());
        assertThat(connackOf(client("IMS-NOBODY-1", new Credential("IMS-NOBODY-1", "x")))).isEqualTo(badCredentialCode());
    }

    @Test
    void clientIdDifferentFromTheUsername_isRefused() {
        Credential meter = broker.meter("IMS-CID-1");
        assertThat(connackOf(client("IMS-CID-OTHER", meter))).isEqualTo(wrongClientIdCode());
    }

    @Test
    void meter_publishingToAnotherMetersTopics_orAnyCommand_isRefused_andNobodyReceivesIt() {
        Credential ingestId = broker.ingest("ims-ingest-c1");
        Credential attackerId = broker.meter("IMS-ATTACKER-1");
        Credential victimId = broker.meter("IMS-VICTIM-1");
        List<String> ingestGot = new CopyOnWriteArrayList<>();
        List<String> victimGot = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient ingest = connected(ingestId, ingestGot);
        for (String f : List.of("meters/+/reading", "meters/+/status", "meters/+/command/ack")) {
            assertThat(subscribeCode(ingest, f)).as(f).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        }
        Mqtt5BlockingClient victim = connected(victimId, victimGot);
        assertThat(subscribeCode(victim, "meters/IMS-VICTIM-1/command")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        for (String topic : List.of("meters/IMS-VICTIM-1/reading", "meters/IMS-VICTIM-1/status", "meters/IMS-VICTIM-1/command/ack",
                "meters/IMS-VICTIM-1/command", "meters/IMS-ATTACKER-1/command", "other/topic")) {
            assertPublishRefused(attackerId, topic);
        }
        Mqtt5BlockingClient attacker = connected(attackerId, new CopyOnWriteArrayList<>());
        assertThat(publishCode(attacker, "meters/IMS-ATTACKER-1/reading", "own")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        await().atMost(WAIT).until(() -> ingestGot.contains("meters/IMS-ATTACKER-1/reading=own"));
        await().during(QUIET).atMost(WAIT).until(() -> ingestGot.stream().noneMatch(m -> m.endsWith("=forbidden"))
                && victimGot.isEmpty());
    }

    @Test
    void meter_subscribingToAnythingButItsOwnCommands_isRefused_andReceivesNothing() {
        Credential attackerId = broker.meter("IMS-SNOOP-1");
        Credential victimId = broker.meter("IMS-SNOOP-VICTIM");
        Credential portalId = broker.portal("ims-portal-c2");
        List<String> attackerGot = new CopyOnWriteArrayList<>();
        List<String> victimGot = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient attacker = connected(attackerId, attackerGot);
        for (String filter : List.of("meters/IMS-SNOOP-VICTIM/command", "#", "meters/#", "meters/+/reading", "meters/+/command",
                "$share/ims-ingest/meters/+/reading", "$share/ims-ingest/meters/IMS-SNOOP-VICTIM/command", "meters/IMS-SNOOP-VICTIM/reading",
                "meters/+/backlog", "meters/IMS-SNOOP-VICTIM/backlog")) {
            assertThat(subscribeCode(attacker, filter)).as(filter).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        }
        Mqtt5BlockingClient victim = connected(victimId, victimGot);
        subscribeCode(victim, "meters/IMS-SNOOP-VICTIM/command");
        Mqtt5BlockingClient portal = connected(portalId, new CopyOnWriteArrayList<>());

        publishCode(victim, "meters/IMS-SNOOP-VICTIM/reading", "secret-reading");
        publishCode(portal, "meters/IMS-SNOOP-VICTIM/command", "secret-command");

        await().atMost(WAIT).until(() -> victimGot.contains("meters/IMS-SNOOP-VICTIM/command=secret-command"));
        await().during(QUIET).atMost(WAIT).until(attackerGot::isEmpty);
    }

    @Test
    void willAimedAtAnotherMetersStatus_isNotDelivered_whileAWillOnItsOwnStatusIs() {
        Credential ingestId = broker.ingest("ims-ingest-c3");
        Credential attackerId = broker.meter("IMS-WILL-1");
        List<String> ingestGot = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient ingest = connected(ingestId, ingestGot);
        subscribeCode(ingest, "meters/+/status");

        Mqtt5BlockingClient forged = client(attackerId.username(), attackerId);
        try {
            forged.connectWith().willPublish().topic("meters/IMS-WILL-VICTIM/status").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("forged-offline".getBytes(StandardCharsets.UTF_8)).applyWillPublish().send();
            forged.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
        } catch (Mqtt5ConnAckException refusedAtConnect) {
            assertThat(refusedAtConnect.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        }
        Mqtt5BlockingClient honest = client(attackerId.username(), attackerId);
        honest.connectWith().willPublish().topic("meters/IMS-WILL-1/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload("offline".getBytes(StandardCharsets.UTF_8)).applyWillPublish().send();
        honest.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();

        await().atMost(WAIT).until(() -> ingestGot.contains("meters/IMS-WILL-1/status=offline"));
        await().during(QUIET).atMost(WAIT).until(() -> ingestGot.stream().noneMatch(m -> m.contains("forged")));
    }

    @Test
    void intruderWithAMetersClientIdButNotItsSecret_isRefused_andTheMeterStaysConnected() {
        Credential meterId = broker.meter("IMS-VICTIM-2");
        Credential intruderId = broker.meter("IMS-INTRUDER-2");
        Mqtt5BlockingClient meter = connected(meterId, new CopyOnWriteArrayList<>());

        assertThat(connackOf(client("IMS-VICTIM-2", new Credential("IMS-VICTIM-2", "guessed")))).isEqualTo(badCredentialCode());
        assertThat(connackOf(client("IMS-VICTIM-2", intruderId))).as("its own credential, the victim's client ID")
                .isEqualTo(wrongClientIdCode());
        assertThat(connackOf(client("IMS-VICTIM-2", null))).isEqualTo(badCredentialCode());

        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> meter.getState().isConnected());
        assertThat(publishCode(meter, "meters/IMS-VICTIM-2/reading", "still-here")).isIn(Mqtt5PubAckReasonCode.SUCCESS,
                Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    void revokedMeter_isDisconnected_andCannotReconnect() {
        Credential meterId = broker.meter("IMS-REVOKED-1");
        AtomicReference<Throwable> why = new AtomicReference<>();
        Mqtt5BlockingClient meter = Mqtt5Client.builder().identifier(meterId.username()).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(meterId.username()).password(meterId.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .addDisconnectedListener(ctx -> why.set(ctx.getCause()))
                .buildBlocking();
        clients.add(meter);
        meter.connect();

        broker.revokeMeter("IMS-REVOKED-1");

        await().atMost(WAIT).until(() -> !meter.getState().isConnected());
        assertThat(why.get()).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                d -> assertThat(d.getMqttMessage().getReasonCode()).isEqualTo(revokedCode()));
        Mqtt5ConnAckReasonCode again = connackOf(client("IMS-REVOKED-1", meterId));
        assertThat(again).isIn(badCredentialCode(), Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void ingest_subscribesPlainAndThroughItsShareGroup_andReceivesReadings() {
        Credential plainId = broker.ingest("ims-ingest-plain");
        Credential sharedId = broker.ingest("ims-ingest-shared");
        Credential meterId = broker.meter("IMS-READER-1");
        List<String> plainGot = new CopyOnWriteArrayList<>();
        List<String> sharedGot = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient plain = connected(plainId, plainGot);
        Mqtt5BlockingClient shared = connected(sharedId, sharedGot);
        assertThat(subscribeCode(plain, "meters/+/reading")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        assertThat(subscribeCode(shared, "$share/ims-ingest/meters/+/reading")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        Mqtt5BlockingClient meter = connected(meterId, new CopyOnWriteArrayList<>());

        assertThat(publishCode(meter, "meters/IMS-READER-1/reading", "r1")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        await().atMost(WAIT).until(() -> plainGot.contains("meters/IMS-READER-1/reading=r1")
                && sharedGot.contains("meters/IMS-READER-1/reading=r1"));
        assertThat(subscribeCode(plain, "#")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        plain.disconnect();
        assertPublishRefused(plainId, "meters/IMS-READER-1/reading");
    }

    @Test
    void backlog_meterPublishesOnlyItsOwn_andOnlyIngestIdentitiesSubscribe_plainOrThroughTheirShareGroup() {
        Credential plainId = broker.ingest("ims-ingest-bl");
        Credential sharedId = broker.ingest("ims-ingest-bl-backlog");
        Credential meterId = broker.meter("IMS-BACKLOG-1");
        Credential otherId = broker.meter("IMS-BACKLOG-2");
        Credential portalId = broker.portal("ims-portal-bl");
        List<String> plainGot = new CopyOnWriteArrayList<>();
        List<String> sharedGot = new CopyOnWriteArrayList<>();
        List<String> otherGot = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient plain = connected(plainId, plainGot);
        Mqtt5BlockingClient shared = connected(sharedId, sharedGot);
        assertThat(subscribeCode(plain, "meters/+/backlog")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        assertThat(subscribeCode(shared, "$share/ims-ingest/meters/+/backlog")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        assertThat(subscribeCode(shared, "$share/elsewhere/meters/+/backlog")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        Mqtt5BlockingClient other = connected(otherId, otherGot);
        for (String filter : List.of("meters/+/backlog", "meters/IMS-BACKLOG-1/backlog", "$share/ims-ingest/meters/+/backlog", "meters/#")) {
            assertThat(subscribeCode(other, filter)).as(filter).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        }
        Mqtt5BlockingClient portal = connected(portalId, new CopyOnWriteArrayList<>());
        assertThat(subscribeCode(portal, "meters/+/backlog")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        Mqtt5BlockingClient meter = connected(meterId, new CopyOnWriteArrayList<>());

        assertThat(publishCode(meter, "meters/IMS-BACKLOG-1/backlog", "h1")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        await().atMost(WAIT).until(() -> plainGot.contains("meters/IMS-BACKLOG-1/backlog=h1")
                && sharedGot.contains("meters/IMS-BACKLOG-1/backlog=h1"));

        other.disconnect();
        assertPublishRefused(otherId, "meters/IMS-BACKLOG-1/backlog");
        portal.disconnect();
        assertPublishRefused(portalId, "meters/IMS-BACKLOG-1/backlog");
        await().during(QUIET).atMost(WAIT).until(() -> plainGot.stream().noneMatch(m -> m.endsWith("=forbidden"))
                && sharedGot.stream().noneMatch(m -> m.endsWith("=forbidden")) && otherGot.isEmpty());
    }

    @Test
    void ingest_joiningAnotherShareGroup_isRefused() {
        Mqtt5BlockingClient ingest = connected(broker.ingest("ims-ingest-group"), new CopyOnWriteArrayList<>());
        assertThat(subscribeCode(ingest, "$share/elsewhere/meters/+/reading")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(subscribeCode(ingest, "$share/ims-ingest/meters/+/status")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(subscribeCode(ingest, "$share/ims-ingest/meters/+/reading")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
    }

    @Test
    void portal_publishesACommand_thatTheMeterReceives_butPublishesNoReading() {
        Credential portalId = broker.portal("ims-portal-c5");
        Credential meterId = broker.meter("IMS-RELAY-1");
        List<String> meterGot = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient meter = connected(meterId, meterGot);
        assertThat(subscribeCode(meter, "meters/IMS-RELAY-1/command")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        Mqtt5BlockingClient portal = connected(portalId, new CopyOnWriteArrayList<>());
        assertThat(subscribeCode(portal, "meters/+/status")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);

        assertThat(publishCode(portal, "meters/IMS-RELAY-1/command", "relay-off")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        await().atMost(WAIT).until(() -> meterGot.contains("meters/IMS-RELAY-1/command=relay-off"));
        assertThat(subscribeCode(portal, "meters/+/reading")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        portal.disconnect();
        assertPublishRefused(portalId, "meters/IMS-RELAY-1/reading");
    }

    @Test
    void monitor_readsTheBrokersSysFigures_butCannotPublish_orReadAnyMetersMessages() {
        Credential monitorId = broker.monitor("ims-monitor-c1");
        Credential meterId = broker.meter("IMS-MON-1");
        List<String> got = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient monitor = connected(monitorId, got);
        assertThat(subscribeCode(monitor, "$SYS/#").isError()).isFalse();
        // Both brokers publish $SYS retained: the figures come at once, or at the broker's next interval.
        await().atMost(Duration.ofSeconds(15)).until(() -> got.stream().anyMatch(m -> m.startsWith("$SYS/broker/clients/connected=")));
        for (String filter : List.of("#", "meters/#", "meters/+/reading", "meters/+/status", "meters/+/backlog",
                "$share/ims-ingest/meters/+/reading", "$SYS/broker/#")) {
            assertThat(subscribeCode(monitor, filter)).as(filter).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        }
        List<String> ingestGot = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient ingest = connected(broker.ingest("ims-ingest-mon"), ingestGot);
        assertThat(subscribeCode(ingest, "meters/+/reading")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        Mqtt5BlockingClient meter = connected(meterId, new CopyOnWriteArrayList<>());
        assertThat(publishCode(meter, "meters/IMS-MON-1/reading", "own")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        await().atMost(WAIT).until(() -> ingestGot.contains("meters/IMS-MON-1/reading=own"));
        await().during(QUIET).atMost(WAIT).until(() -> got.stream().noneMatch(m -> m.startsWith("meters/")));
        monitor.disconnect();
        for (String topic : List.of("meters/IMS-MON-1/reading", "meters/IMS-MON-1/command")) {
            assertPublishRefused(monitorId, topic);
        }
    }

    // --- helpers ---

    /**
     * Connects {@code who} afresh (no other connection of {@code who} may be open: it would be taken over), publishes to {@code topic} at QoS 1 and checks the refusal: PUBACK {@code NOT_AUTHORIZED},
     * and, on a broker that {@link #disconnectsOnRefusedPublish}, the connection closed with DISCONNECT {@code NOT_AUTHORIZED}.
     */
    protected void assertPublishRefused(Credential who, String topic) {
        serverDisconnects.remove(who.username());
        Mqtt5BlockingClient c = client(who.username(), who);
        c.connect();
        Mqtt5PubAckReasonCode code = null;
        try {
            code = publishCode(c, topic, "forbidden");
        } catch (CompletionException closedFirst) {
            assertThat(disconnectsOnRefusedPublish()).as(topic + ": " + closedFirst.getCause()).isTrue();
        }
        if (code != null) {
            assertThat(code).as(topic).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        }
        if (disconnectsOnRefusedPublish()) {
            await().atMost(WAIT).until(() -> !c.getState().isConnected());
            assertThat(serverDisconnects.get(who.username())).as(topic).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        } else if (c.getState().isConnected()) {
            // Not asserted: Mosquitto 2.0.11 answers PUBACK NOT_AUTHORIZED and then, with this client library, often closes
            // the socket without DISCONNECT (its log: "Bad socket read/write"); mosquitto_pub by hand stayed connected.
            // Either way nothing is delivered, which is what the callers check.
            try {
                c.disconnect();
            } catch (RuntimeException closedMeanwhile) {
                // the broker closed it first
            }
        }
    }

    /** A client with {@code clientId} and, when not null, {@code credential}; no automatic reconnect. */
    protected Mqtt5BlockingClient client(String clientId, Credential credential) {
        Mqtt5ClientBuilder b = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(broker.port())
                .addDisconnectedListener(ctx -> {
                    if (ctx.getCause() instanceof Mqtt5DisconnectException d) {
                        serverDisconnects.put(clientId, d.getMqttMessage().getReasonCode());
                    }
                });
        if (credential != null) {
            b = b.simpleAuth().username(credential.username()).password(credential.password().getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth();
        }
        Mqtt5BlockingClient c = b.buildBlocking();
        clients.add(c);
        return c;
    }

    /** Connects {@code credential}'s client; what it receives lands in {@code received} as {@code topic=payload}. */
    protected Mqtt5BlockingClient connected(Credential credential, List<String> received) {
        Mqtt5BlockingClient c = client(credential.username(), credential);
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL,
                p -> received.add(p.getTopic() + "=" + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
        c.connect();
        return c;
    }

    /** The CONNACK's reason code (the client is left disconnected or, on success, connected). */
    protected static Mqtt5ConnAckReasonCode connackOf(Mqtt5BlockingClient c) {
        try {
            return c.connect().getReasonCode();
        } catch (Mqtt5ConnAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    /** Publishes at QoS 1 and returns the PUBACK's reason code. */
    protected static Mqtt5PubAckReasonCode publishCode(Mqtt5BlockingClient c, String topic, String payload) {
        try {
            Mqtt5PublishResult r = c.toAsync().publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload.getBytes(StandardCharsets.UTF_8)).send().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException p) {
                return p.getMqttMessage().getReasonCode();
            }
            throw e;
        }
    }

    /** Subscribes at QoS 1 and returns the SUBACK's reason code. */
    protected static Mqtt5SubAckReasonCode subscribeCode(Mqtt5BlockingClient c, String filter) {
        try {
            return c.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join()
                    .getReasonCodes().get(0);
        } catch (CompletionException e) {
            if (e.getCause() instanceof Mqtt5SubAckException s) {
                return s.getMqttMessage().getReasonCodes().get(0);
            }
            throw e;
        }
    }
}
