package dev.ims.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker monitor on the embedded HiveMQ CE, which has no {@code $SYS} tree of its own: the embedded stack publishes
 * Mosquitto's topics from HiveMQ's metrics, so the same call answers with figures. Messages the broker drops (a meter's
 * offline queue overflowing) raise the {@code BROKER_DROPPING} alarm. Staff see the page in Chromium.
 */
class BrokerMonitorEmbeddedIT {

    /** A meter's offline queue this short makes the broker drop the third command sent while it is away. */
    static final long CLIENT_QUEUE = 2;

    @TempDir
    static Path dir;

    static EmbeddedBroker broker;
    static BrokerIdentities identities;
    static MonitoredPortal portal;

    @BeforeAll
    static void start() throws Exception {
        identities = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(identities.security())
                .withSysInterval(Duration.ofSeconds(1)).withMaxClientQueue(CLIENT_QUEUE));
        portal = MonitoredPortal.start(broker.url(), identities.portal("ims-portal"), identities.monitor("ims-monitor"), "broker-embedded");
    }

    @AfterAll
    static void stop() {
        if (portal != null) {
            portal.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theSameCall_answersWithTheEmbeddedBrokersFigures() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> portal.api("/api/v1/broker").at("/broker/messagesReceived").isNumber());
        long before = portal.api("/api/v1/broker").at("/broker/messagesReceived").asLong();
        Mqtt5BlockingClient meter = connect(identities.meter("IMS-BE-1"), true);
        try {
            for (int i = 0; i < 15; i++) {
                meter.publishWith().topic("meters/IMS-BE-1/reading").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)).send();
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode b = portal.api("/api/v1/broker");
                assertThat(b.at("/broker/messagesReceived").asLong()).isGreaterThanOrEqualTo(before + 15);
                assertThat(b.at("/broker/clientsConnected").asLong()).isGreaterThanOrEqualTo(3); // monitor, portal, meter
            });
        } finally {
            meter.disconnect();
        }
        JsonNode b = portal.api("/api/v1/broker");
        assertThat(b.at("/monitor/connected").asBoolean()).isTrue();
        assertThat(b.at("/broker/version").asText()).startsWith("HiveMQ CE");
        assertThat(b.at("/broker/uptimeSeconds").isNumber()).isTrue();
        assertThat(b.at("/broker/subscriptions").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(b.at("/history/broker").size()).isGreaterThan(0);
    }

    @Test
    void messagesTheBrokerDrops_raiseTheDroppedMessagesAlarm() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> portal.api("/api/v1/broker").at("/broker/messagesDropped").isNumber());
        assertThat(portal.api("/api/v1/alarms").findValuesAsText("kind")).doesNotContain("BROKER_DROPPING");
        // A meter with a kept session subscribes to its commands and goes away; more commands come than its queue holds.
        Credential meterId = identities.meter("IMS-DROP-1");
        Mqtt5BlockingClient meter = connect(meterId, false);
        meter.subscribeWith().topicFilter("meters/IMS-DROP-1/command").qos(MqttQos.AT_LEAST_ONCE).send();
        meter.disconnect();
        Mqtt5BlockingClient sender = connect(identities.portal("ims-portal-drops"), true);
        try {
            for (int i = 0; i < 6; i++) {
                sender.publishWith().topic("meters/IMS-DROP-1/command").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)).send();
            }
        } finally {
            sender.disconnect();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(portal.api("/api/v1/broker").at("/broker/messagesDropped").asLong()).isGreaterThanOrEqualTo(6 - CLIENT_QUEUE);
            assertThat(portal.api("/api/v1/alarms").findValuesAsText("kind")).contains("BROKER_DROPPING");
        });
        assertThat(portal.get("/metrics", portal.staffToken).body()).containsPattern("ims_broker_messages_dropped [1-9]");
    }

    @Test
    void staff_seeLiveFiguresOnTheBrokerPage_inChromium_andAConsumerGetsA403() throws Exception {
        BrokerPageBrowser.staffSeeLiveFigures(portal, () -> {
            Mqtt5BlockingClient extra = connect(identities.meter("IMS-BE-PAGE"), true);
            return extra::disconnect;
        }, "HiveMQ CE");
        String consumer = portal.consumer("be-consumer-1");
        assertThat(portal.get("/staff/broker", consumer).statusCode()).isEqualTo(403);
        assertThat(portal.get("/api/v1/broker", consumer).statusCode()).isEqualTo(403);
    }

    private static Mqtt5BlockingClient connect(Credential c, boolean cleanStart) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        client.connectWith().cleanStart(cleanStart).sessionExpiryInterval(cleanStart ? 0 : 600).send();
        return client;
    }
}
