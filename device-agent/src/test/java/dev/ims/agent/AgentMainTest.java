package dev.ims.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ims.client.enrol.EnrolmentClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The agent's command line, parsed without starting a meter. */
class AgentMainTest {

    @ParameterizedTest
    @CsvSource({"--min-switch-interval=0, 0", "--min-switch-interval=2m, 120"})
    void agentOption_minSwitchInterval_parses_andDefaultsTo60Seconds(String arg, long seconds) {
        AgentMain main = new AgentMain();
        new CommandLine(main).parseArgs(arg);
        assertThat(main.minSwitchInterval).isEqualTo(Duration.ofSeconds(seconds));
        AgentMain defaults = new AgentMain();
        new CommandLine(defaults).parseArgs();
        assertThat(defaults.minSwitchInterval).isEqualTo(Duration.ofSeconds(60));
    }

    @TempDir
    Path dir;

    @Test
    void aMeterThePortalRefuses_exitsWith3_andSaysWhatToDo() throws Exception {
        HttpServer portal = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        portal.createContext(EnrolmentClient.PATH, exchange -> {
            try (exchange) {
                byte[] body = "{\"error\":\"conflict\",\"message\":\"another secret\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(409, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        portal.start();
        try {
            Path key = Files.writeString(dir.resolve("provisioning-key"), "k");
            int exit = new CommandLine(new AgentMain()).execute("--data-dir", dir.toString(), "--mqtt-url", "tcp://127.0.0.1:1",
                    "--portal-url", "http://127.0.0.1:" + portal.getAddress().getPort(), "--provisioning-key-file", key.toString());
            assertThat(exit).isEqualTo(AgentMain.EXIT_NOT_ENROLLED);
        } finally {
            portal.stop(0);
        }
    }
}
