package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ims.embedded.testing.ChildJvm;
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
     * {@code ./ims agent} in another console, with nothing but the stack's data folder: it finds the fleet provisioning
     * key there, enrols over HTTP for its own broker identity, and shows up in the portal online with its readings.
     */
    @Test
    void agentInAnotherConsole_enrolsWithTheStacksProvisioningKey_andShowsUpInThePortal() throws Exception {
        Path log = Files.createDirectories(Path.of("target", "agent-it")).resolve("agent.log");
        Map<String, String> env = Map.of("IMS_DATA_DIR", stackDir.toString(), "MQTT_URL", stack.mqttUrl(),
                "HTTP_PORT", Integer.toString(stack.portalPort()), "TIME_ZONE", ZONE.getId());
        try (ChildJvm agent = ChildJvm.start("dev.ims.agent.AgentMain", List.of("--interval-seconds", "1", "--history-days", "0"), env, log,
                "Publishing live", Duration.ofSeconds(90))) {
            Matcher id = Pattern.compile("New meter (\\S+)").matcher(Files.readString(log));
            assertThat(id.find()).as(Files.readString(log)).isTrue();
            String meter = id.group(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(get("/api/v1/meters/" + meter).path("state").asText())
                    && get("/api/v1/meters/" + meter).path("latest").has("energyKwh"));
            assertThat(Files.exists(Path.of(stackDir.toString(), "agents"))).as("the agent's state folder in the data folder").isTrue();
            assertThat(Files.readString(log)).doesNotContain(stack.provisioningKey());
        }
    }
}
