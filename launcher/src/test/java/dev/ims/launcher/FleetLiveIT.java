package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.ingest.IngestService;
import dev.ims.ingest.IngestSettings;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RelayState;
import dev.ims.model.security.Credential;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.model.storage.StoreSchema;
import dev.ims.portal.Portal;
import dev.ims.portal.PortalSettings;
import dev.ims.portal.fleet.FleetOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The staff's fleet view kept current by the ingest's change feed, end to end: meters publish through the embedded broker,
 * two ingest instances (one shared subscription) store and record what they wrote, and the portal's fleet index, whose full
 * resync is far away (the default 10 min), shows it within seconds; also across a restart of the portal, and live in a
 * real headless Chromium (skipped without one, mandatory with {@code CI=true}).
 */
class FleetLiveIT {

    static final String ADMIN_PASSWORD = "fleet-staff-42";
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final List<String> METERS = List.of("live-1", "live-2", "live-3", "live-4", "live-5", "live-6");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ReadingCodec CODEC = new ReadingCodec();
    static final AtomicLong SEQ = new AtomicLong(1);

    @TempDir
    static Path dir;
    static EmbeddedBroker broker;
    static EmbeddedStore store;
    static BrokerIdentities ids;
    static IngestService ingestA;
    static IngestService ingestB;
    static MongoClient mongo;
    static MongoDatabase db;
    static Vertx vertx;
    static volatile Portal portal;
    static volatile int port;
    static String staffToken;
    static final Map<String, Mqtt5BlockingClient> clients = new ConcurrentHashMap<>();

    @BeforeAll
    static void startStack() throws Exception {
        ids = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        ImsSettings base = ImsSettings.load(Map.of("TIME_ZONE", "Europe/Berlin"), Map.of()).withMqttUrl(broker.url())
                .withMongoUri(store.connectionString());
        ingestA = new IngestService(IngestSettings.of(base.withMqttCredential(ids.ingest("ingest-a")), "ingest-a"));
        ingestB = new IngestService(IngestSettings.of(base.withMqttCredential(ids.ingest("ingest-b")), "ingest-b"));
        ingestA.start().toCompletableFuture().get();
        ingestB.start().toCompletableFuture().get();
        mongo = MongoClients.create(store.connectionString());
        db = mongo.getDatabase("ims");
        vertx = Vertx.vertx();
        startPortal();
        for (String m : METERS) {
            status(m, ConnectionState.ONLINE);
            reading(m, 100.0, 400.0);
        }
        status("live-6", ConnectionState.OFFLINE);
        await().atMost(Duration.ofSeconds(30)).until(() -> fleet("?size=200").get("total").asInt() == METERS.size()
                && "offline".equals(item("live-6").get("state").asText()));
    }

    static void startPortal() throws Exception {
        Path data = Files.createTempDirectory(dir, "portal");
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", "Europe/Berlin", "HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", ADMIN_PASSWORD,
                "IMS_DATA_DIR", data.toString()), Map.of()).withMongoUri(store.connectionString());
        PortalSettings settings = PortalSettings.load(ims, Map.of(FleetOptions.FLEET_POLL_MILLIS, "300")).withPasswordCost(4);
        assertThat(settings.fleet().resync()).isEqualTo(Duration.ofMinutes(10));
        portal = new Portal(settings, db, vertx);
        port = portal.start().toCompletionStage().toCompletableFuture().get();
        staffToken = Json.mapper().readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url("/api/v1/login")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .get("token").asText();
    }

    @AfterAll
    static void stopStack() {
        clients.values().forEach(c -> {
            try {
                c.disconnect();
            } catch (RuntimeException e) {
                // gone
            }
        });
        if (portal != null) {
            portal.close().toCompletionStage().toCompletableFuture().join();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        for (IngestService i : new IngestService[] {ingestA, ingestB}) {
            if (i != null) {
                i.close();
            }
        }
        if (mongo != null) {
            mongo.close();
        }
        if (store != null) {
            store.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    static Mqtt5BlockingClient client(String meter) {
        return clients.computeIfAbsent(meter, id -> {
            Credential c = ids.meter(id);
            Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(broker.port()).simpleAuth()
                    .username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
            client.connect();
            return client;
        });
    }

    static void status(String meter, ConnectionState state) {
        client(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload(StatusMessage.of(meter, state, Instant.now()).encode()).send();
    }

    static void reading(String meter, double kwh, double powerW) {
        client(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                .payload(CODEC.encode(Reading.of(meter, SEQ.getAndIncrement(), Instant.now(), kwh, powerW, 230.0, 1.0, null, RelayState.ON))).send();
    }

    static JsonNode fleet(String query) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url("/api/v1/fleet" + query)))
                .header("Authorization", "Bearer " + staffToken).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    static JsonNode item(String meter) throws Exception {
        JsonNode items = fleet("?q=" + meter).get("items");
        return items.size() == 0 ? Json.mapper().createObjectNode() : items.get(0);
    }

    @Test
    void aReadingThroughTheBroker_showsInTheIndexWithinSeconds_notAtTheResync() throws Exception {
        reading("live-1", 100.012, 777.0);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> item("live-1").path("energyKwh").asDouble() == 100.012 && item("live-1").path("powerW").asDouble() == 777.0);
        assertThat(portal.fleetIndex().reloads()).as("only the load at start").isEqualTo(1);
    }

    @Test
    void anOfflineStatusThroughTheBroker_showsInTheIndexWithinSeconds_andBothIngestInstancesFeedIt() throws Exception {
        status("live-5", ConnectionState.OFFLINE);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> "offline".equals(item("live-5").path("state").asText()));
        // Status messages reach every instance (not shared): each wrote the meter document and recorded it in its own slots.
        List<String> slots = Flux.from(db.getCollection(StoreSchema.FLEET_CHANGES).find()).map(d -> d.getString("_id")).collectList().block();
        assertThat(slots).anyMatch(s -> s.startsWith("ingest-a/")).anyMatch(s -> s.startsWith("ingest-b/"));
        Document slot = Mono.from(db.getCollection(StoreSchema.FLEET_CHANGES).find(Filters.regex("_id", "^ingest-b/")).first()).block();
        assertThat(slot.getString(StoreSchema.FEED_INSTANCE)).isEqualTo("ingest-b");
        assertThat(slot.getList(StoreSchema.FEED_CHANGED, String.class)).isNotEmpty().allMatch(METERS::contains);
        status("live-5", ConnectionState.ONLINE);
        await().atMost(Duration.ofSeconds(5)).until(() -> "online".equals(item("live-5").path("state").asText()));
    }

    @Test
    void aRestartedPortal_loadsWhatChangedWhileItWasDown_andFollowsTheFeedAgain() throws Exception {
        portal.close().toCompletionStage().toCompletableFuture().join();
        status("live-3", ConnectionState.OFFLINE);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Document m = Mono.from(db.getCollection(StoreSchema.METERS).find(Filters.eq("_id", "live-3")).first()).block();
            return "OFFLINE".equals(m.get(StoreSchema.CONNECTION_LAST, Document.class).getString(StoreSchema.STATE));
        });
        startPortal();
        assertThat(item("live-3").path("state").asText()).isEqualTo("offline");
        reading("live-4", 100.025, 50.0);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> item("live-4").path("energyKwh").asDouble() == 100.025);
        status("live-3", ConnectionState.ONLINE);
        await().atMost(Duration.ofSeconds(5)).until(() -> "online".equals(item("live-3").path("state").asText()));
    }

    @Test
    void staff_filterTheFleet_andWatchAMeterGoOffline_withoutThePageReloading() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but " + CHROMIUM + " or " + DRIVER + " is missing");
        }
        Assumptions.assumeTrue(installed, "no Chromium here");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--window-size=1280,900");
        WebDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), options);
        try {
            browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(5));
            browser.get(url("/login"));
            browser.findElement(By.id("username")).sendKeys("admin");
            browser.findElement(By.id("password")).sendKeys(ADMIN_PASSWORD);
            browser.findElement(By.id("login")).click();
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/"));

            // Filter with the form: offline meters only.
            browser.findElement(By.id("fleet-state-offline")).click();
            browser.findElement(By.id("fleet-apply")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("state=offline"));
            List<String> shown = browser.findElements(By.cssSelector("#fleet-table tbody tr")).stream().map(r -> r.getAttribute("data-meter")).toList();
            assertThat(shown).contains("live-6").doesNotContain("live-1", "live-2");
            assertThat(browser.findElement(By.id("fleet-state-offline")).isSelected()).isTrue();

            // Every meter, live: a meter goes offline and its row changes in the open page.
            browser.get(url("/?sort=meterId"));
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> "connected".equals(
                    ((JavascriptExecutor) d).executeScript("return document.documentElement.getAttribute('data-fleet-live')")));
            ((JavascriptExecutor) browser).executeScript("window.fleetMarker = 'still the same page';");
            assertThat(browser.findElement(By.cssSelector("tr[data-meter='live-2']")).getAttribute("data-state")).isEqualTo("online");
            String offlineBefore = browser.findElement(By.cssSelector("[data-count='offline']")).getText();
            status("live-2", ConnectionState.OFFLINE);
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(d ->
                    "offline".equals(d.findElement(By.cssSelector("tr[data-meter='live-2']")).getAttribute("data-state")));
            assertThat(browser.findElement(By.cssSelector("tr[data-meter='live-2'] [data-field='state']")).getText()).contains("offline");
            assertThat(((JavascriptExecutor) browser).executeScript("return window.fleetMarker")).as("no navigation happened")
                    .isEqualTo("still the same page");
            assertThat(Integer.parseInt(browser.findElement(By.cssSelector("[data-count='offline']")).getText()))
                    .isEqualTo(Integer.parseInt(offlineBefore) + 1);
        } finally {
            browser.quit();
            status("live-2", ConnectionState.ONLINE);
        }
    }
}
