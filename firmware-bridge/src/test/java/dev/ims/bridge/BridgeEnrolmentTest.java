package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pi4j.context.Context;
import com.sun.net.httpserver.HttpServer;
import dev.ims.client.enrol.EnrolmentClient;
import dev.ims.client.enrol.EnrolmentRefusedException;
import dev.ims.client.enrol.EnrolmentSettings;
import dev.ims.client.enrol.MeterEnrolment;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridge enrols its meter before it touches a pin or the broker. */
class BridgeEnrolmentTest {

    @TempDir
    Path dir;

    HttpServer portal;
    final List<String> secrets = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (portal != null) {
            portal.stop(0);
        }
    }

    /** A portal whose enrolment resource answers {@code status}, with {@code keys} on success. */
    private URI portal(int status, CommandKeySet keys) throws Exception {
        Path tmp = Files.createTempFile(dir, "keys", ".json");
        keys.write(tmp);
        JsonNode keyJson = Json.mapper().readTree(Files.readAllBytes(tmp));
        portal = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        portal.createContext(EnrolmentClient.PATH, exchange -> {
            try (exchange) {
                JsonNode req = Json.mapper().readTree(exchange.getRequestBody().readAllBytes());
                secrets.add(req.path("secret").asText());
                ObjectNode body = Json.mapper().createObjectNode();
                if (status < 300) {
                    body.put("meterId", req.path("meterId").asText()).put("username", req.path("meterId").asText()).set("commandKeys", keyJson);
                } else {
                    body.put("error", "gone").put("message", "decommissioned");
                }
                byte[] bytes = Json.bytes(body);
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        portal.start();
        return URI.create("http://127.0.0.1:" + portal.getAddress().getPort());
    }

    private Bridge.Options options(Path stateFile, URI portalUrl) {
        return new Bridge.Options(stateFile, 27, false, -1, Duration.ofSeconds(60), 0, 100)
                .withEnrolment(EnrolmentSettings.of(portalUrl, "fleet-key").withRetry(Duration.ZERO, Duration.ofMillis(50)));
    }

    private ImsSettings settings() {
        // No broker listens there: the bridge keeps trying, which is all this test needs.
        return ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl("tcp://127.0.0.1:1");
    }

    @Test
    void aNewBridge_enrolsWithTheSecretInItsStateFile_andTrustsTheDeliveredKeys() throws Exception {
        CommandKeySet keys = CommandKeySet.of(CommandSigningKey.generate().publicKey());
        URI url = portal(201, keys);
        Path file = dir.resolve("bridge").resolve("meter.json");
        Context pi4j = BridgeMain.mockContext();
        try (Bridge bridge = Bridge.start(pi4j, settings(), options(file, url), new S0Source(new S0Counter(pi4j, 17, false, 5_000), 1_000),
                Clock.systemUTC())) {
            assertThat(bridge.created()).isTrue();
            assertThat(secrets).containsExactly(MeterStateFile.load(file).brokerSecret());
            assertThat(CommandKeySet.read(MeterEnrolment.commandKeysFile(file)).keys()).isEqualTo(keys.keys());
        } finally {
            pi4j.shutdown();
        }
    }

    @Test
    void aDecommissionedMeter_doesNotStart_andNoPinIsOpened() throws Exception {
        URI url = portal(410, CommandKeySet.EMPTY);
        Path file = dir.resolve("meter.json");
        Context pi4j = BridgeMain.mockContext();
        try {
            assertThatThrownBy(() -> Bridge.start(pi4j, settings(), options(file, url), new S0Source(new S0Counter(pi4j, 17, false, 5_000), 1_000),
                    Clock.systemUTC())).isInstanceOf(EnrolmentRefusedException.class).hasMessageContaining("decommissioned");
            assertThat(pi4j.registry().exists("relay-27")).as("relay pin opened").isFalse();
        } finally {
            pi4j.shutdown();
        }
    }
}
