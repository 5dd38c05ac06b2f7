package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static dev.ims.portal.HttpHostileCorpus.ALICE_METER;
import static dev.ims.portal.HttpHostileCorpus.BOB_METER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.portal.HttpHostileCorpus.Request;
import dev.ims.portal.HttpHostileCorpus.Who;
import dev.ims.portal.account.Accounts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.MeterStatus;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The portal's HTTP API and pages under a corpus of 2 500+ hostile requests sent byte for byte over real
 * sockets: hostile path segments, query parameters, JSON / form / multipart bodies, content types,
 * methods, request lines, headers and forged credentials, from nobody, two consumers and staff.
 * Every answer is a 4xx or a success, never a 5xx, a stack trace, reflected markup or an injected
 * header; nobody sees another consumer's meter; the portal is healthy and its data intact afterwards.
 */
class HostileHttpIT {

    static final String ALICE = "alice-fuzz";
    static final String BOB = "bob-fuzz";
    static final String PASSWORD = "correct-horse-42";
    /** Bob's register reading: appears in no answer given to anybody but Bob and staff. */
    static final String BOB_REGISTER = "7777.777";
    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

    static MongoDatabase db;
    static Portal portal;
    static dev.ims.embedded.broker.EmbeddedBroker broker;
    static final dev.ims.embedded.testing.BrokerIdentities IDS = new dev.ims.embedded.testing.BrokerIdentities();
    static int port;
    static final Map<Who, String> TOKENS = new EnumMap<>(Who.class);

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        db = PortalIT.mongo.getDatabase("fuzz");
        Mono.from(db.drop()).block();
        // A broker, so staff relay commands are really sent (to meters that do not exist: they stay PENDING).
        broker = dev.ims.embedded.broker.EmbeddedBroker.start(dev.ims.embedded.broker.EmbeddedBrokerOptions.of(0,
                java.nio.file.Files.createTempDirectory("hostile-http-broker")).withSecurity(IDS.security()));
        // Its own data folder: with a broker the portal creates its command signing key there.
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", ZONE.getId(), "HTTP_PORT", "0",
                "IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD, "IMS_DATA_DIR", java.nio.file.Files.createTempDirectory("hostile-http-data").toString()),
                Map.of()).withMongoUri(PortalIT.store.connectionString())
                .withMqttUrl(broker.url()).withMqttCredential(IDS.portal("ims-portal"));
        // Behind a proxy, so each request can come from its own address and the log-in throttle does not hide the parsers.
        portal = new Portal(PortalSettings.load(ims, Map.of("PORTAL_BEHIND_PROXY", "true", "TARIFF_PRICE_PER_KWH", "0.25"))
                .withPasswordCost(4), db, PortalIT.vertx);
        port = portal.start().toCompletionStage().toCompletableFuture().get();
        seed(ALICE_METER, ALICE, 1234.5);
        seed(BOB_METER, BOB, Double.parseDouble(BOB_REGISTER));
        insert(REJECTED, new Document(ID, new org.bson.types.ObjectId(HttpHostileCorpus.QUARANTINED_ID)).append(METER_ID, ALICE_METER)
                .append(QUARANTINE, QUARANTINE_OPEN).append(REASON, "SEQ_JUMP").append(DETAIL, "seq 90 after 71")
                .append(READING, new Document(METER_ID, ALICE_METER).append(SEQ, 90L).append(TS, new Date()).append(ENERGY_KWH, 1240.0)
                        .append(STATUS, "OK")).append(RECEIVED_AT, new Date()));
        for (String user : List.of(ALICE, BOB)) {
            Response r = send(new Request("setup", Who.ANONYMOUS, "POST", "/signup",
                    List.<String[]>of(new String[] {"Content-Type", "application/x-www-form-urlencoded"}, new String[] {"Cookie", "ims_csrf=setup-token"}),
                    ("username=" + user + "&password=" + PASSWORD + "&password2=" + PASSWORD + "&csrf=setup-token").getBytes(StandardCharsets.UTF_8)));
            assertThat(r.status).as("sign-up of " + user + ": " + r.text).isEqualTo(303);
        }
        TOKENS.put(Who.ALICE, login(ALICE, PASSWORD));
        TOKENS.put(Who.BOB, login(BOB, PASSWORD));
        TOKENS.put(Who.STAFF, login("admin", PortalIT.ADMIN_PASSWORD));
    }

    @AfterAll
    static void stop() {
        portal.close().toCompletionStage().toCompletableFuture().join();
        broker.close();
    }

    @Test
    void hostileRequests_getClearRefusals_neverA5xx_aLeak_oraStackTrace_andThePortalStaysHealthy() throws Exception {
        String example = Files.readString(Path.of("..", "docs", "tariff-example.json"));
        List<Request> corpus = HttpHostileCorpus.generate(example, 20261125L, 2_500);
        assertThat(corpus.size()).isGreaterThanOrEqualTo(2_500);

        List<String> problems = new ArrayList<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        int i = 0;
        for (Request request : corpus) {
            Response r = send(withIdentity(request, i++));
            byStatus.merge(String.valueOf(r.status), 1, Integer::sum);
            String problem = problem(request, r);
            if (Boolean.getBoolean("fuzz.trace")) {
                System.out.println("TRACE " + r.status + " " + request.describe());
            }
            if (problem != null) {
                problems.add(problem + " <- " + request.describe() + " => " + r.status + " " + abbreviate(r.text));
            }
        }
        System.out.printf("Hostile HTTP: %d requests, answers by status %s, %d problems%n", corpus.size(), byStatus, problems.size());
        assertThat(problems.subList(0, Math.min(25, problems.size()))).as("requests answered wrongly (first 25 of %d)", problems.size())
                .isEmpty();
        // The corpus reached the validators rather than bouncing off the log-in.
        assertThat(byStatus.getOrDefault("400", 0)).as("refused by a validator, with the reason").isGreaterThan(500);
        assertThat(byStatus.getOrDefault("401", 0)).as("refused for want of a session").isLessThan(corpus.size() / 4);
        assertThat(byStatus.getOrDefault("200", 0)).as("harmless oddities answered normally").isGreaterThan(100);

        // Still healthy, and nothing anybody owns changed hands.
        Response health = send(new Request("after", Who.ANONYMOUS, "GET", "/health", List.of(), null));
        assertThat(health.status).isEqualTo(200);
        assertThat(Json.mapper().readTree(health.body()).get("database").asText()).isEqualTo("UP");
        JsonNode aliceMeters = Json.mapper().readTree(send(withIdentity(new Request("after", Who.ALICE, "GET", "/api/v1/meters", List.of(), null), 0)).body());
        assertThat(aliceMeters).extracting(m -> m.get("meterId").asText()).containsExactly(ALICE_METER);
        assertThat(owner(ALICE_METER)).isEqualTo(ALICE);
        assertThat(owner(BOB_METER)).isEqualTo(BOB);
        assertThat(send(withIdentity(new Request("after", Who.ALICE, "GET", "/api/v1/meters/" + ALICE_METER + "/usage?period=day", List.of(), null), 0)).status)
                .isEqualTo(200);
        assertThat(send(withIdentity(new Request("after", Who.STAFF, "GET", "/api/v1/tariffs", List.of(), null), 0)).status).isEqualTo(200);
        Document held = Mono.from(db.getCollection(REJECTED).find(new Document(ID, new org.bson.types.ObjectId(HttpHostileCorpus.QUARANTINED_ID)))
                .first()).block();
        if (!QUARANTINE_OPEN.equals(held.getString(QUARANTINE))) {
            assertThat(held.get(DECISION, Document.class).getString("by")).as("only staff decide on quarantined readings").isEqualTo("admin");
            assertThat(held.get(DECISION, Document.class).getString(REASON).strip()).hasSizeBetween(3, 500);
        }
        List<String> users = Flux.from(db.getCollection(USERS).find()).map(d -> d.getString(ID)).collectList().block();
        assertThat(users).as("every stored account name obeys the rule").allMatch(u -> u.matches(Accounts.USERNAME_PATTERN));
        // Memory bounded after it all (a sanity bound for the whole test JVM, not a benchmark).
        System.gc();
        assertThat(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()).isLessThan(512L << 20);
    }

    /** What is wrong with an answer, or null. */
    private static String problem(Request q, Response r) {
        String text = r.text;
        if (r.status >= 500) {
            return "server error";
        }
        if (r.status == 0 && !q.kind().equals("request-line")) {
            return "no answer";
        }
        for (String leak : List.of("Exception", "\tat ", "at dev.ims", "at io.vertx", "at java.", "Caused by", "org.bson", "com.mongodb",
                "freemarker.core")) {
            if (text.contains(leak)) {
                return "internals in the answer (" + leak.trim() + ")";
            }
        }
        String head = r.head.toLowerCase(java.util.Locale.ROOT);
        boolean html = !head.contains("content-type:") || head.contains("content-type: text/html");
        if (html && (r.body().contains("<script>alert(1)") || r.body().contains("<img src=x onerror"))) {
            return "markup reflected unescaped in HTML";
        }
        if (head.contains("\r\nx-injected:")) {
            return "header injected";
        }
        boolean ok = r.status >= 200 && r.status < 300;
        if (ok && (q.who() == Who.ALICE || q.who() == Who.ANONYMOUS || q.who() == Who.FORGED)
                && (r.body().contains(BOB_REGISTER) || r.body().contains(BOB_METER) && !String.valueOf(q.target()).contains(BOB_METER))) {
            return "another consumer's meter shown";
        }
        if (ok && q.who() != Who.STAFF && q.who() != Who.BOB && q.target() != null && q.target().contains(BOB_METER)
                && !q.target().startsWith("/static/")) {
            return "another consumer's meter answered " + r.status;
        }
        if (ok && (q.who() == Who.ANONYMOUS || q.who() == Who.FORGED) && q.target() != null && !isPublic(q)) {
            return "answered without a session";
        }
        return null;
    }

    private static boolean isPublic(Request q) {
        String path = q.target().contains("?") ? q.target().substring(0, q.target().indexOf('?')) : q.target();
        return List.of("/health", "/login", "/signup").contains(path) || path.startsWith("/static/")
                || q.method().equals("OPTIONS") || q.method().equals("HEAD") && List.of("/health", "/login", "/signup").contains(path);
    }

    private static Request withIdentity(Request q, int n) {
        List<String[]> headers = new ArrayList<>(q.headers());
        String token = TOKENS.get(q.who());
        if (token != null) {
            headers.add(new String[] {"Authorization", "Bearer " + token});
        }
        // Log-in forms need the double-submit CSRF pair; give it to some so their fields are parsed.
        if (n % 2 == 0 && q.who() == Who.ANONYMOUS) {
            headers.add(new String[] {"Cookie", "ims_csrf=fuzz"});
        }
        Random r = new Random(n);
        headers.add(new String[] {"X-Forwarded-For", n % 50 == 0 ? "not-an-address, ::1, 999.1.1.1" : "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256)});
        return new Request(q.kind(), q.who(), q.method(), q.target(), headers, q.body());
    }

    // ---- raw HTTP/1.1 over a socket, so malformed requests reach the server exactly as written

    record Response(int status, String head, String text) {
        String body() {
            return text;
        }
    }

    static Response send(Request q) {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        String line = q.target() == null ? q.method() : q.method() + " " + q.target() + " HTTP/1.1";
        req.writeBytes((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        boolean hasHost = q.headers().stream().anyMatch(h -> h[0].equalsIgnoreCase("Host"));
        if (!hasHost) {
            req.writeBytes(("Host: 127.0.0.1:" + port + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        for (String[] h : q.headers()) {
            req.writeBytes((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (q.body() != null) {
            req.writeBytes(("Content-Length: " + q.body().length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        req.writeBytes("Connection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (q.body() != null) {
            req.writeBytes(q.body());
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            try {
                s.getOutputStream().write(req.toByteArray());
                s.getOutputStream().flush();
            } catch (IOException refusedEarly) {
                // The server may answer (413, 431) and close before taking the whole request: read what it said.
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16_384];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    answer.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // A reset after the answer: keep what arrived.
            }
        } catch (IOException e) {
            throw new IllegalStateException("no answer to " + q.describe() + ": " + e, e);
        }
        String text = answer.toString(StandardCharsets.UTF_8);
        int headEnd = text.indexOf("\r\n\r\n");
        String head = headEnd < 0 ? text : text.substring(0, headEnd);
        int status = 0;
        if (text.startsWith("HTTP/1.")) {
            status = Integer.parseInt(text.substring(9, 12));
        }
        return new Response(status, head, headEnd < 0 ? "" : text.substring(headEnd + 4));
    }

    private static String login(String user, String password) throws Exception {
        Response r = send(new Request("setup", Who.ANONYMOUS, "POST", "/api/v1/login",
                List.<String[]>of(new String[] {"Content-Type", "application/json"}),
                Json.mapper().writeValueAsBytes(Map.of("username", user, "password", password))));
        assertThat(r.status).as("log-in of " + user + ": " + r.text).isEqualTo(200);
        return Json.mapper().readTree(r.body()).get("token").asText();
    }

    /** A meter with an owner, a latest reading and readings for the last three days (0.5 kWh an hour), stored as the ingest stores them. */
    private static void seed(String meterId, String owner, double register) {
        Instant now = Instant.now();
        LocalDate today = LocalDate.now(ZONE);
        double kwh = register - 72 * 0.5;
        long seq = 0;
        List<Reading> readings = new ArrayList<>();
        for (int d = 2; d >= 0; d--) {
            LocalDate day = today.minusDays(d);
            for (int h = 0; h < 24; h++) {
                Instant hour = day.atTime(h, 0).atZone(ZONE).toInstant();
                if (hour.isAfter(now)) {
                    break;
                }
                readings.add(new Reading(meterId, seq++, hour, kwh, 500.0, null, null, MeterStatus.OK, null, null, Map.of()));
                readings.add(new Reading(meterId, seq++, hour.plusSeconds(59 * 60), kwh + 0.5, 500.0, null, null, MeterStatus.OK, null, null,
                        Map.of()));
                kwh += 0.5;
            }
        }
        StoreSeed.store(db, ZONE, readings);
        StoreSeed.meter(db, new Document(ID, meterId).append(CONNECTION, "ONLINE").append(OWNER, owner).append(LAST_SEQ, 71L)
                .append(LAST_SEEN, Date.from(now))
                .append(LATEST, new Document(SEQ, 71L).append(TS, Date.from(now)).append(ENERGY_KWH, register).append(POWER_W, 321.0)));
    }

    private static String owner(String meterId) {
        return Mono.from(db.getCollection(METERS).find(new Document(ID, meterId)).first()).block().getString(OWNER);
    }

    private static void insert(String collection, Document d) {
        Mono.from(db.getCollection(collection).insertOne(d)).block();
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }
}
