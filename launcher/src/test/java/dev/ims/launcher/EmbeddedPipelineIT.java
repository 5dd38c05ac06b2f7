package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.ims.embedded.testing.ChildJvm;
import dev.ims.model.config.MqttEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline on the one-command stack's own parts: embedded HiveMQ CE and the embedded store. */
class EmbeddedPipelineIT extends PipelineContract {

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        startStack(null, dir);
    }

    /**
     * The operator's CLI on the running stack: {@code ./ims meters provision} prints a credential that connects;
     * {@code ./ims meters decommission} (another process in real life, writing the store only) gets the meter's live
     * session closed by the running portal's revocation sweep, and its credential refused from then on.
     */
    @Test
    void cliProvisionedMeter_connects_andCliDecommissioning_closesItsSession_andRefusesItsCredential() throws Exception {
        Map<String, String> env = Map.of("IMS_DATA_DIR", stackDir.toString(), "MONGO_URI", stack.mongoUri(), "TIME_ZONE", ZONE.getId());
        String meter = "cli-" + System.nanoTime() % 1_000_000;
        java.io.StringWriter printed = new java.io.StringWriter();
        MetersMain provision = new MetersMain();
        provision.environment = env;
        assertThat(MetersMain.run(provision, new java.io.PrintWriter(printed, true), "provision", "--meter-id", meter)).as(printed.toString())
                .isZero();
        Matcher secret = Pattern.compile("secret:\\s+(\\S+)").matcher(printed.toString());
        assertThat(secret.find()).isTrue();
        assertThat(printed.toString()).contains("claim code:");
        MqttEndpoint e = MqttEndpoint.parse(stack.mqttUrl());
        java.util.function.Supplier<Mqtt5BlockingClient> client = () -> Mqtt5Client.builder().identifier(meter).serverHost(e.host())
                .serverPort(e.port()).simpleAuth().username(meter).password(secret.group(1).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .applySimpleAuth().buildBlocking();
        Mqtt5BlockingClient connected = client.get();
        connected.connect();
        assertThat(connected.getState().isConnected()).isTrue();

        MetersMain decommission = new MetersMain();
        decommission.environment = env;
        java.io.StringWriter said = new java.io.StringWriter();
        assertThat(MetersMain.run(decommission, new java.io.PrintWriter(said, true), "decommission", meter, "--reason", "removed on site"))
                .as(said.toString()).isZero();
        await().atMost(Duration.ofSeconds(15)).until(() -> !connected.getState().isConnected());
        assertThatThrownBy(() -> client.get().connect()).isInstanceOf(Mqtt5ConnAckException.class);
        MetersMain again = new MetersMain();
        again.environment = env;
        assertThat(MetersMain.run(again, new java.io.PrintWriter(new java.io.StringWriter(), true), "provision", "--meter-id", meter))
                .as("a decommissioned ID is never enrolled again").isNotZero();
    }

    /** An intruder without identity is refused by the stack's broker, and staff see it counted on {@code /metrics}. */
    @Test
    void anonymousClient_isRefused_andCountedOnTheStacksMetrics() throws Exception {
        double before = refusedConnects(getText("/metrics"));
        MqttEndpoint e = MqttEndpoint.parse(stack.mqttUrl());
        Mqtt5BlockingClient anonymous = Mqtt5Client.builder().identifier("intruder-" + System.nanoTime()).serverHost(e.host())
                .serverPort(e.port()).buildBlocking();
        assertThatThrownBy(anonymous::connect).isInstanceOf(Mqtt5ConnAckException.class)
                .satisfies(x -> assertThat(((Mqtt5ConnAckException) x).getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        await().atMost(Duration.ofSeconds(10)).until(() -> refusedConnects(getText("/metrics")) >= before + 1);
    }

    private static double refusedConnects(String metrics) {
        Matcher m = Pattern.compile("ims_broker_refused_total\\{kind=\"connect\"[^}]*} ([0-9.E]+)").matcher(metrics);
        assertThat(m.find()).as("ims_broker_refused_total{kind=connect} on /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    /**
     * {@code ./ims agent} in another console, with nothing but the stack's data folder: it finds the fleet provisioning
     * key there, enrols over HTTP for its own broker identity, and shows up in the portal online with its readings.
     */
    @Test
    void agentInAnotherConsole_enrolsWithTheStacksProvisioningKey_andShowsUpInThePortal() throws Exception {
        Path log = Files.createDirectories(Path.of("target", "agent-it")).resolve("agent.log");
        Files.deleteIfExists(log); // the child's output is appended: only this run's may be read
        Map<String, String> env = Map.of("IMS_DATA_DIR", stackDir.toString(), "MQTT_URL", stack.mqttUrl(),
                "HTTP_PORT", Integer.toString(stack.portalPort()), "TIME_ZONE", ZONE.getId());
        try (ChildJvm agent = ChildJvm.start("dev.ims.agent.AgentMain", List.of("--interval-seconds", "1", "--history-days", "0"), env, log,
                "Publishing live", Duration.ofSeconds(90))) {
            Matcher id = Pattern.compile("New meter (\\S+)").matcher(Files.readString(log));
            assertThat(id.find()).as(Files.readString(log)).isTrue();
            String meter = id.group(1);
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(get("/api/v1/meters/" + meter).path("state").asText())
                        && get("/api/v1/meters/" + meter).path("latest").has("energyKwh"));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("meter " + get("/api/v1/meters/" + meter) + "\nrejected " + get("/api/v1/rejected?limit=5")
                        + "\nagent log:\n" + Files.readString(log), e);
            }
            assertThat(Files.exists(Path.of(stackDir.toString(), "agents"))).as("the agent's state folder in the data folder").isTrue();
            assertThat(Files.readString(log)).doesNotContain(stack.provisioningKey());
        }
    }

    @Test
    void brokerAndPipeline_areMonitored_throughTheMonitoringIdentity() throws Exception {
        assertBrokerAndPipelineMonitored();
    }
}
