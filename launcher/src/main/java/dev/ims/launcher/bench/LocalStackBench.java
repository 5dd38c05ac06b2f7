package dev.ims.launcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.agent.Fleet;
import dev.ims.launcher.LocalStack;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.usage.UsageCalendar;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./ims bench --local}: the one-command stack's own figures (issue 13). Starts the stack exactly as {@code ./ims}
 * does (embedded broker and store, ingest, portal, a fleet of new meters that publish their history at their first
 * start), and measures (1) how long after the meters connected their whole history is stored, and (2) while that
 * backfill runs, how long a live reading of another meter (one more simulated meter, enrolled like {@code ./ims agent},
 * publishing every {@value #PROBE_INTERVAL_MS} ms) takes from its measurement to the portal's readings API. Then counts
 * what the store holds of the history: every seq once.
 */
final class LocalStackBench {

    /** @param meters the fleet's size; @param historyDays days of 15-minute history each new meter publishes */
    record Options(int meters, int historyDays) {}

    /**
     * @param backfill from the meters connected to their whole history stored (null: not within the time limit)
     * @param live publish-to-API latencies of the live readings measured during the backfill
     */
    record Result(Duration backfill, long expected, long stored, Latencies live) {
        long lost() {
            return expected - stored;
        }
    }

    static final long PROBE_INTERVAL_MS = 200;
    private static final Duration LIMIT = Duration.ofMinutes(10);
    private static final String ADMIN = "admin";

    private final Options options;
    private final PrintStream out;

    LocalStackBench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    Result run(ImsSettings base, Path dir) throws Exception {
        String password = dev.ims.model.security.Secrets.newSecret();
        Map<String, String> env = new HashMap<>();
        env.put(ImsSettings.IMS_DATA_DIR, dir.resolve("data").toString());
        env.put(ImsSettings.MQTT_PORT, Integer.toString(freePort()));
        env.put(ImsSettings.MQTT_TLS_PORT, "0");
        env.put(ImsSettings.MONGO_PORT, Integer.toString(freePort()));
        env.put(ImsSettings.HTTP_PORT, "0");
        env.put(ImsSettings.TIME_ZONE, base.timeZone().getId());
        env.put(ImsSettings.IMS_ADMIN_PASSWORD, password);
        ImsSettings settings = ImsSettings.load(env, Map.of());
        long steps = Duration.ofDays(options.historyDays()).dividedBy(Fleet.Options.DEFAULT_HISTORY_STEP);
        long expected = steps * options.meters();
        out.printf("  local stack: %d new meters, %d days of 15-minute history each (%,d readings), as ./ims starts%n", options.meters(),
                options.historyDays(), expected);
        try (LocalStack stack = LocalStack.start(settings, new LocalStack.Options(options.meters(), options.historyDays(),
                LocalStack.DEFAULT_INTERVAL_SECONDS))) {
            Instant connected = Instant.now();
            try (MongoClient mongo = MongoClients.create(stack.mongoUri())) {
                MongoDatabase db = mongo.getDatabase(settings.mongoDatabase());
                List<String> fleet = stack.fleet().meterIds();
                Latencies live = new Latencies(10_000);
                Fleet probe = probe(stack, settings, dir);
                try {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
                    String token = login(http, stack.portalUrl(), password);
                    String probeId = probe.meterIds().get(0);
                    Map<String, BitSet> published = new HashMap<>();
                    for (String id : fleet) {
                        BitSet seqs = new BitSet();
                        seqs.set(1, (int) steps + 1);
                        published.put(id, seqs);
                    }
                    StoredSeqs stored = new StoredSeqs(db, new UsageCalendar(settings.timeZone()));
                    Instant from = connected.minus(Duration.ofDays(options.historyDays() + 1));
                    Duration backfill = null;
                    StoredSeqs.Count count = null;
                    long lastProbeSeq = -1;
                    long lastCount = 0;
                    long lastReport = System.nanoTime();
                    // Until the history is stored: the probe meter's newest reading through the API (each new one's delay from
                    // its measurement), and, once the broker has acknowledged the whole history (it cannot be stored before),
                    // what the store holds of it, counted from the day documents twice a second.
                    while (Duration.between(connected, Instant.now()).compareTo(LIMIT) < 0) {
                        JsonNode newest = newestReading(http, stack.portalUrl(), token, probeId);
                        Instant seen = Instant.now();
                        if (newest != null && newest.path("seq").asLong() > lastProbeSeq) {
                            if (lastProbeSeq >= 0) { // the first one may predate the loop
                                live.add(Duration.between(Instant.parse(newest.path("ts").asText()), seen).toNanos() / 1000);
                            }
                            lastProbeSeq = newest.path("seq").asLong();
                        }
                        if (stack.fleet().historyDone().isDone() && System.nanoTime() - lastCount > 500_000_000L) {
                            lastCount = System.nanoTime();
                            count = stored.count(published, from, Instant.now());
                            if (count.lost() == 0) {
                                backfill = Duration.between(connected, Instant.now());
                                break;
                            }
                        }
                        if (System.nanoTime() - lastReport > 10_000_000_000L) {
                            lastReport = System.nanoTime();
                            out.printf("  local stack: %s after %d s%n", count == null ? "history being published"
                                    : String.format("%,d of %,d history readings stored", count.stored(), expected),
                                    Duration.between(connected, Instant.now()).toSeconds());
                        }
                        Thread.sleep(10);
                    }
                    if (count == null) {
                        count = stored.count(published, from, Instant.now());
                    }
                    if (count.lost() > 0) {
                        out.printf("  local stack: history not stored, e.g. %s%n", count.lostExamples());
                    }
                    return new Result(backfill, expected, count.stored(), live);
                } finally {
                    probe.close();
                }
            }
        }
    }

    /** One more meter, enrolled with the stack's provisioning key as {@code ./ims agent} is, sending live readings only. */
    private static Fleet probe(LocalStack stack, ImsSettings settings, Path dir) throws Exception {
        ImsSettings probeSettings = settings.withMqttUrl(stack.mqttUrl());
        Fleet.Options o = new Fleet.Options(Duration.ofMillis(PROBE_INTERVAL_MS), 0, Fleet.Options.DEFAULT_HISTORY_STEP, 0)
                .withCommandKeys(stack.commandKeySetFile()).withEnrolment(URI.create(stack.portalUrl()), stack.provisioningKey());
        List<Fleet.Member> members = Fleet.membersIn(dir.resolve("probe"), 1, probeSettings, o, Clock.systemUTC());
        return Fleet.start(members, probeSettings, o, Clock.systemUTC(), null).get(60, TimeUnit.SECONDS);
    }

    private static String login(HttpClient http, String portal, String password) throws Exception {
        String body = Json.mapper().writeValueAsString(Map.of("username", ADMIN, "password", password));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(portal + "api/v1/login")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("staff login answered " + r.statusCode() + ": " + r.body());
        }
        return Json.mapper().readTree(r.body()).path("token").asText();
    }

    /** The meter's newest reading through {@code GET /api/v1/meters/{id}/readings?limit=1}, or null when it has none. */
    private static JsonNode newestReading(HttpClient http, String portal, String token, String meterId) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(portal + "api/v1/meters/" + meterId + "/readings?limit=1"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return null; // not registered yet
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("readings API answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode root = Json.mapper().readTree(r.body());
        JsonNode list = root.isArray() ? root : root.path("readings");
        return list.isArray() && list.size() > 0 ? list.get(0) : null;
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
