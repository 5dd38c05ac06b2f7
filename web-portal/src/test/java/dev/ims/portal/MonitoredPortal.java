package dev.ims.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.security.Credential;
import dev.ims.portal.broker.MonitorOptions;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A portal of its own, connected to a real broker with a portal identity and the monitoring identity, over the
 * module's shared embedded store ({@link PortalIT#start()}) in a database of its own. The history samples every
 * second. Answers are checked against docs/openapi.yaml.
 */
final class MonitoredPortal implements AutoCloseable {

    static final Duration SAMPLE = Duration.ofSeconds(1);
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]*)\"");

    final Portal portal;
    final int port;
    final MongoDatabase db;
    final String staffToken;
    private final HttpClient http = dev.ims.portal.apidoc.ContractCheckingHttpClient.of(HttpClient.newHttpClient());

    private MonitoredPortal(Portal portal, int port, MongoDatabase db) throws Exception {
        this.portal = portal;
        this.port = port;
        this.db = db;
        this.staffToken = login("admin", PortalIT.ADMIN_PASSWORD);
    }

    static MonitoredPortal start(String mqttUrl, Credential portalIdentity, Credential monitor, String database) throws Exception {
        PortalIT.start();
        java.nio.file.Path dataDir = Files.createTempDirectory("monitored-portal");
        ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD, "IMS_DATA_DIR",
                        dataDir.toString(), "MQTT_URL", mqttUrl), Map.of())
                .withMongoUri(PortalIT.store.connectionString()).withMqttCredential(portalIdentity);
        PortalSettings base = PortalSettings.load(ims, Map.of()).withPasswordCost(4).withLimits(PortalIT.MANY_SIGNUPS);
        PortalSettings settings = base.withMonitor(base.monitor().withCredential(monitor).withSampleInterval(SAMPLE)
                .withAlarmSweep(java.time.Duration.ofSeconds(1)));
        MongoDatabase db = PortalIT.mongo.getDatabase(database);
        Portal portal = new Portal(settings, db, PortalIT.vertx);
        int port = portal.start().toCompletionStage().toCompletableFuture().get();
        return new MonitoredPortal(portal, port, db);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode api(String path) throws Exception {
        HttpResponse<String> r = get(path, staffToken);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    String login(String username, String password) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/api/v1/login"))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(Map.of("username", username, "password", password))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("login of " + username + ": " + r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body()).get("token").asText();
    }

    /** Signs a new consumer up through the sign-up form and returns its API token. */
    String consumer(String username) throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String page = browser.send(HttpRequest.newBuilder(URI.create(url("/signup"))).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).isTrue();
        String form = "username=" + enc(username) + "&password=" + enc(AccountsIT.Browser.PASSWORD) + "&password2="
                + enc(AccountsIT.Browser.PASSWORD) + "&csrf=" + enc(m.group(1));
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(url("/signup"))).header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        return login(username, AccountsIT.Browser.PASSWORD);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        portal.close().toCompletionStage().toCompletableFuture().join();
    }
}
