package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.client.enrol.EnrolmentClient;
import dev.ims.model.json.Json;
import dev.ims.model.meter.ClaimCodes;
import dev.ims.model.security.Secrets;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The pipeline contract against the repository's docker-compose.yml itself: the images built from the Dockerfile,
 * MongoDB's replica set, Mosquitto with the repository's mosquitto.conf and the generated identities, two ingest
 * instances, the portal, the simulated fleet (3 meters with a day of history) and Prometheus, reached only through
 * the ports a deployment has. Skipped where there is no Docker engine (as on the project's CI machines); run it on a
 * workstation with Docker and the compose plugin ({@code docker compose}).
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposePipelineIT extends PipelineContract {

    static final int FLEET_SIZE = 3;
    static final String STAFF_PASSWORD = "compose-staff-" + Secrets.newSecret().substring(0, 12);
    static final String METRICS_TOKEN = Secrets.newSecret();

    @TempDir
    static Path dir;

    static ComposeContainer compose;

    @BeforeAll
    static void start() throws Exception {
        compose = new ComposeContainer(new File("../docker-compose.yml"))
                .withLocalCompose(true)
                .withBuild(true)
                .withRemoveVolumes(true)
                .withEnv(Map.ofEntries(
                        Map.entry("MONGO_ROOT_USERNAME", "ims"),
                        Map.entry("MONGO_ROOT_PASSWORD", Secrets.newSecret().replaceAll("[^A-Za-z0-9]", "")),
                        Map.entry("METRICS_TOKEN", METRICS_TOKEN),
                        Map.entry("IMS_ADMIN_PASSWORD", STAFF_PASSWORD),
                        Map.entry("TIME_ZONE", ZONE.getId()),
                        Map.entry("FLEET_SIZE", String.valueOf(FLEET_SIZE)),
                        Map.entry("FLEET_HISTORY_DAYS", "1"),
                        Map.entry("FLEET_INTERVAL_SECONDS", "1"),
                        // Ephemeral host ports: the test reaches the services through Testcontainers' ambassador.
                        Map.entry("PORTAL_PUBLISHED_PORT", "0"),
                        Map.entry("MQTT_PUBLISHED_PORT", "0"),
                        Map.entry("PROMETHEUS_PUBLISHED_PORT", "0")))
                .withExposedService("portal", 8080, Wait.forHttp("/health").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(10)))
                .withExposedService("mosquitto", 1883, Wait.forListeningPort())
                .withExposedService("prometheus", 9090, Wait.forHttp("/-/ready").forStatusCode(200))
                .withStartupTimeout(Duration.ofMinutes(15));
        compose.start();
        String portal = "http://" + compose.getServiceHost("portal", 8080) + ":" + compose.getServicePort("portal", 8080);
        String mqtt = "tcp://" + compose.getServiceHost("mosquitto", 1883) + ":" + compose.getServicePort("mosquitto", 1883);
        String provisioningKey = compose.getContainerByServiceName("portal-1").or(() -> compose.getContainerByServiceName("portal_1"))
                .orElseThrow().copyFileFromContainer("/data/provisioning/provisioning-key",
                        in -> new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
        List<String> fleet = new ArrayList<>();
        startOn(new Target() {
            @Override
            public String portalUrl() {
                return portal;
            }

            @Override
            public String mqttUrl() {
                return mqtt;
            }

            @Override
            public String provisioningKey() {
                return provisioningKey;
            }

            @Override
            public List<String> fleetMeterIds() {
                return fleet;
            }

            /** As a meter does: it enrols itself with the fleet's provisioning key, and the portal creates its broker account. */
            @Override
            public String provision(String meterId) throws Exception {
                String secret = Secrets.newSecret();
                new EnrolmentClient(URI.create(portal)).enrol(provisioningKey, meterId, secret,
                        ClaimCodes.verifier(ClaimCodes.newCode(), ClaimCodes.DEFAULT_ITERATIONS));
                return secret;
            }
        }, dir, STAFF_PASSWORD);
        // The fleet's meters, once all have enrolled and published their day of history.
        await().atMost(Duration.ofMinutes(3)).until(() -> get("/api/v1/meters").size() == FLEET_SIZE);
        for (JsonNode m : get("/api/v1/meters")) {
            fleet.add(m.get("meterId").asText());
        }
        fleet.sort(null);
    }

    /** Expiry is the portal's and the ingest's work: waited out once, on the embedded stack (EmbeddedPipelineIT). */
    @Override
    boolean checksExpiryEndToEnd() {
        return false;
    }

    /**
     * Here the one place for the whole deployment is Prometheus, scraping both ingest instances and the portal (with
     * the bearer token): both ingest instances are up and have stored readings between them, the portal reports the
     * fleet online.
     */
    @Override
    @Test
    void metrics_showTheIngestAndTheFleet_onePlaceForTheWholeStack() throws Exception {
        await().atMost(Duration.ofSeconds(90)).until(() -> prometheus("sum(up{job=\"ims-ingest\"})") == 2
                && prometheus("up{job=\"ims-portal\"}") == 1
                && prometheus("sum(ims_ingest_messages_total{outcome=\"stored\"})") > 0
                && prometheus("ims_fleet_meters{state=\"ONLINE\"}") >= FLEET_SIZE);
    }

    /** The value of a Prometheus query with a single answer, or -1 when it has none. */
    static double prometheus(String query) throws Exception {
        String url = "http://" + compose.getServiceHost("prometheus", 9090) + ":" + compose.getServicePort("prometheus", 9090)
                + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode result = Json.mapper().readTree(r.body()).path("data").path("result");
        return result.size() == 1 ? result.get(0).path("value").get(1).asDouble() : -1;
    }

    @AfterAll
    static void stopCompose() {
        stopStack();
        if (compose != null) {
            compose.stop();
        }
    }
}
