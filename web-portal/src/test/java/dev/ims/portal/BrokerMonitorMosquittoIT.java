package dev.ims.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.MosquittoProcess;
import dev.ims.model.security.Credential;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker monitor against a real Mosquitto 2 with the project's mosquitto.conf and dynamic security: the portal reads
 * Mosquitto's own {@code $SYS} figures under the monitoring identity, which can do nothing else, and keeps serving while
 * Mosquitto is away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerMonitorMosquittoIT {

    @TempDir
    static Path dir;

    static MosquittoProcess mosquitto;
    static MonitoredPortal portal;

    @BeforeAll
    static void start() throws Exception {
        MosquittoProcess.requireOrSkip();
        mosquitto = MosquittoProcess.start(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0), dir);
        portal = MonitoredPortal.start(mosquitto.url(), mosquitto.portal("ims-portal"), mosquitto.monitor("ims-monitor"), "broker-mosquitto");
    }

    @AfterAll
    static void stop() throws Exception {
        if (portal != null) {
            portal.close();
        }
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @Test
    @Order(1)
    void staff_seeTheClientsConnected_andTheMessagesCounted_afterAFewPublishes() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> portal.api("/api/v1/broker").at("/broker/messagesReceived").isNumber());
        long before = portal.api("/api/v1/broker").at("/broker/messagesReceived").asLong();
        Mqtt5BlockingClient meter = connect(mosquitto.meter("IMS-BM-1"));
        try {
            for (int i = 0; i < 25; i++) {
                meter.publishWith().topic("meters/IMS-BM-1/reading").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)).send();
            }
            // The monitor, the portal's command publisher and this meter.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode b = portal.api("/api/v1/broker");
                assertThat(b.at("/broker/messagesReceived").asLong()).isGreaterThanOrEqualTo(before + 25);
                assertThat(b.at("/broker/clientsConnected").asLong()).isGreaterThanOrEqualTo(3);
            });
        } finally {
            meter.disconnect();
        }
        JsonNode b = portal.api("/api/v1/broker");
        assertThat(b.at("/monitor/configured").asBoolean()).isTrue();
        assertThat(b.at("/monitor/connected").asBoolean()).isTrue();
        assertThat(b.at("/monitor/identity").asText()).isEqualTo("ims-monitor");
        assertThat(b.at("/broker/version").asText()).startsWith("mosquitto version 2");
        assertThat(b.at("/broker/uptimeSeconds").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(b.at("/broker/subscriptions").asLong()).isGreaterThanOrEqualTo(1); // the monitor's $SYS/#
        assertThat(b.at("/broker/messagesDropped").isNumber()).isTrue();
        assertThat(b.at("/history/broker").size()).isGreaterThan(0);
        // Prometheus has the same figures.
        HttpResponse<String> metrics = portal.get("/metrics", portal.staffToken);
        assertThat(metrics.body()).contains("ims_broker_clients_connected").contains("ims_broker_messages_received ")
                .contains("ims_broker_monitor_connected 1.0");
        // The staff page shows them.
        HttpResponse<String> page = portal.get("/staff/broker", portal.staffToken);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"clients\"").contains("mosquitto version 2").contains("<svg class=\"sparkline\"");
    }

    @Test
    @Order(2)
    void consumers_getA403_onTheBrokerCall_andPage() throws Exception {
        String consumer = portal.consumer("bm-consumer-1");
        assertThat(portal.get("/api/v1/broker", consumer).statusCode()).isEqualTo(403);
        assertThat(portal.get("/staff/broker", consumer).statusCode()).isEqualTo(403);
    }

    @Test
    @Order(2)
    void staff_seeLiveFiguresFromMosquittoOnTheBrokerPage_inChromium() throws Exception {
        // Registered before the page counts the clients: a dynamic-security change may close other connections for a
        // moment (Mosquitto 2.0.11). Three new connections, so that the count rises even if another client of the
        // broker leaves meanwhile.
        List<Credential> ids = List.of(mosquitto.meter("IMS-BM-PAGE-1"), mosquitto.meter("IMS-BM-PAGE-2"), mosquitto.meter("IMS-BM-PAGE-3"));
        BrokerPageBrowser.staffSeeLiveFigures(portal, () -> {
            List<Mqtt5BlockingClient> extra = ids.stream().map(BrokerMonitorMosquittoIT::connect).toList();
            return () -> extra.forEach(Mqtt5BlockingClient::disconnect);
        }, "mosquitto version 2");
    }

    @Test
    @Order(3)
    void theMonitoringIdentity_canNeitherPublish_norReadReadings() throws Exception {
        // A second monitoring identity: the portal's own keeps its connection.
        Mqtt5BlockingClient monitor = connect(mosquitto.monitor("ims-monitor-2"));
        try {
            assertThat(subscribeCode(monitor, "meters/+/reading")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
            assertThat(subscribeCode(monitor, "#")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
            assertThat(subscribeCode(monitor, "$SYS/#").isError()).isFalse();
            assertThat(publishCode(monitor, "meters/IMS-BM-1/command")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        } finally {
            try {
                monitor.disconnect();
            } catch (RuntimeException alreadyClosed) {
                // Mosquitto may close the connection itself after a refused publish: nothing left to disconnect.
            }
        }
    }

    @Test
    @Order(4)
    void whileMosquittoIsAway_thePortalKeepsServing_andTheMonitorReconnectsAfterwards() throws Exception {
        mosquitto.stopForNow();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !portal.api("/api/v1/broker").at("/monitor/connected").asBoolean());
            long started = System.nanoTime();
            JsonNode b = portal.api("/api/v1/broker");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            assertThat(b.at("/broker/messagesReceived").isNumber()).as("the last figures are kept").isTrue();
            assertThat(portal.get("/staff/broker", portal.staffToken).statusCode()).isEqualTo(200);
            assertThat(portal.get("/health", null).statusCode()).isIn(200, 503);
            // Raised by the portal's next alarm sweep (every second here).
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(portal.api("/api/v1/alarms").findValuesAsText("kind")).contains("BROKER_MONITOR_DOWN"));
        } finally {
            mosquitto.startAgain();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> portal.api("/api/v1/broker").at("/monitor/connected").asBoolean());
    }

    private static Mqtt5BlockingClient connect(Credential c) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(mosquitto.port())
                .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        client.connect();
        return client;
    }

    static Mqtt5SubAckReasonCode subscribeCode(Mqtt5BlockingClient c, String filter) {
        try {
            return c.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(p -> { }).send()
                    .orTimeout(10, TimeUnit.SECONDS).join()
                    .getReasonCodes().get(0);
        } catch (CompletionException e) {
            if (e.getCause() instanceof Mqtt5SubAckException s) {
                return s.getMqttMessage().getReasonCodes().get(0);
            }
            throw e;
        }
    }

    static Mqtt5PubAckReasonCode publishCode(Mqtt5BlockingClient c, String topic) {
        try {
            Mqtt5PublishResult r = c.toAsync().publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload("x".getBytes(StandardCharsets.UTF_8)).send().orTimeout(10, TimeUnit.SECONDS).join();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException p) {
                return p.getMqttMessage().getReasonCode();
            }
            throw e;
        }
    }
}
