package dev.ims.launcher.bench;

import static dev.ims.model.storage.StoreSchema.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.json.Json;
import dev.ims.model.reading.FaultCode;
import dev.ims.model.reading.MeterStatus;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.Portal;
import dev.ims.portal.PortalSettings;
import dev.ims.portal.account.Accounts;
import dev.ims.portal.account.HashGate;
import dev.ims.portal.account.Passwords;
import dev.ims.portal.account.Role;
import dev.ims.store.BatchWrites;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * The fleet phase ({@code ./ims bench --fleet}): seeds a fleet of meters into the store through the ingest's own write code
 * ({@link BatchWrites}: each meter's newest reading in its hour bucket, day and meter documents) with varied states
 * (online, offline, silent, never reported, decommissioned; faults, tampering, supplies off; owners), starts a portal over
 * it and measures, with {@code users} signed-in staff at once, the fleet page and {@code GET /api/v1/fleet} (first page,
 * search, filter, sort, deep page). Every answer is checked; the figures print beside issue 15's target (p95 < 200 ms),
 * with the index's load time and the heap the portal holds.
 */
final class FleetBench {

    /**
     * @param meters the fleet's size
     * @param users concurrent signed-in staff
     * @param seconds length of each measured scenario
     */
    record Options(int meters, int users, int seconds) {}

    /** @param wrong answers that were not 200 or not what the fleet holds */
    record Figure(String name, long requests, long wrong, double p50, double p95, double p99, double perSecond) {
        boolean met() {
            return wrong == 0 && p95 < TARGET_P95_MS;
        }
    }

    record Result(List<Figure> figures, Duration loadTime, long heapBytes) {
        long wrong() {
            return figures.stream().mapToLong(Figure::wrong).sum();
        }
    }

    static final double TARGET_P95_MS = 200;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int WRITE_CHUNK = 1000;
    private static final int WARM_UP = 30;

    private final PortalSettings portalSettings;
    private final MongoDatabase db;
    private final Options options;
    private final PrintStream out;
    private final UsageCalendar calendar;

    FleetBench(PortalSettings portalSettings, MongoDatabase db, Options options, PrintStream out) {
        this.portalSettings = portalSettings;
        this.db = db;
        this.options = options;
        this.out = out;
        this.calendar = new UsageCalendar(portalSettings.ims().timeZone());
    }

    /** Meter {@code i}'s ID: {@code fleet-00042}. */
    static String meterId(int i) {
        return String.format("fleet-%05d", i);
    }

    /** What meter {@code i} is: a fixed spread, so the expected counts are known. */
    enum Kind {
        ONLINE, OFFLINE, SILENT, NEVER, DECOMMISSIONED;

        static Kind of(int i) {
            int r = i % 100;
            return r < 80 ? ONLINE : r < 88 ? OFFLINE : r < 94 ? SILENT : r < 98 ? NEVER : DECOMMISSIONED;
        }
    }

    /** Writes the fleet; returns the seconds it took. */
    double seed() {
        long t0 = System.nanoTime();
        Instant now = Instant.now();
        SplittableRandom random = new SplittableRandom(15);
        BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
        for (int from = 0; from < options.meters(); from += WRITE_CHUNK) {
            List<Reading> fresh = new ArrayList<>();
            List<Reading> old = new ArrayList<>();
            List<WriteModel<Document>> states = new ArrayList<>();
            for (int i = from; i < Math.min(options.meters(), from + WRITE_CHUNK); i++) {
                String id = meterId(i);
                Kind kind = Kind.of(i);
                boolean fault = i % 50 == 7;
                boolean tamper = i % 200 == 13;
                boolean off = i % 33 == 5;
                if (kind != Kind.NEVER) {
                    Instant ts = kind == Kind.SILENT ? now.minus(Duration.ofHours(2)) : now.minusSeconds(random.nextInt(60, 600));
                    Reading r = new Reading(id, 1_000 + random.nextInt(1000), ts, 1_000 + random.nextDouble() * 9_000, random.nextDouble() * 5_000,
                            230.0, null, fault || tamper ? MeterStatus.FAULT : MeterStatus.OK, tamper ? FaultCode.TAMPER : fault ? FaultCode.OVERVOLTAGE
                            : null, off ? RelayState.OFF : RelayState.ON, Map.of());
                    (kind == Kind.SILENT ? old : fresh).add(r);
                }
                List<org.bson.conversions.Bson> set = new ArrayList<>();
                if (kind != Kind.NEVER) {
                    // What the ingest keeps of a status message (the newest wins through $max).
                    set.add(Updates.max(CONNECTION_LAST, new Document(TS, Date.from(now.minus(Duration.ofHours(3))))
                            .append(STATE, kind == Kind.OFFLINE ? "OFFLINE" : "ONLINE")));
                }
                if (i % 3 == 0) {
                    set.add(Updates.set(OWNER, String.format("customer-%05d", i / 3)));
                }
                if (kind == Kind.DECOMMISSIONED) {
                    set.add(Updates.set(DECOMMISSIONED, new Document(AT, Date.from(now.minus(Duration.ofDays(1)))).append("by", "bench")
                            .append(REASON, "seeded by the bench")));
                }
                if (i % 97 == 11) {
                    set.add(Updates.set(DO_NOT_DISCONNECT, true));
                }
                set.add(Updates.setOnInsert(FIRST_SEEN, Date.from(now.minus(Duration.ofDays(30)))));
                states.add(new UpdateOneModel<>(new Document(ID, id), Updates.combine(set), new com.mongodb.client.model.UpdateOptions().upsert(true)));
            }
            write(BatchWrites.of(fresh, calendar, now), unordered);
            write(BatchWrites.of(old, calendar, now.minus(Duration.ofHours(2))), unordered);
            Mono.from(db.getCollection(METERS).bulkWrite(states, unordered)).block(REQUEST_TIMEOUT);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private void write(BatchWrites w, BulkWriteOptions unordered) {
        if (!w.buckets().isEmpty()) {
            Mono.from(db.getCollection(READINGS).bulkWrite(w.buckets(), unordered)).block(REQUEST_TIMEOUT);
            Mono.from(db.getCollection(DAILY).bulkWrite(w.days(), unordered)).block(REQUEST_TIMEOUT);
            Mono.from(db.getCollection(METERS).bulkWrite(w.meters(), unordered)).block(REQUEST_TIMEOUT);
        }
    }

    Result run() throws Exception {
        long existing = Mono.from(db.getCollection(METERS).countDocuments()).block(REQUEST_TIMEOUT);
        if (existing == 0) {
            out.printf("  fleet data: %,d meters seeded in %.1f s%n", options.meters(), seed());
        } else {
            out.printf("  fleet data: the store holds %,d meters already: measured as it is%n", existing);
        }
        long heapBefore = heapAfterGc();
        Vertx vertx = Vertx.vertx();
        Portal portal = new Portal(portalSettings, db, vertx);
        try {
            int port = portal.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
            long heap = heapAfterGc() - heapBefore;
            int total = portal.fleetIndex().size();
            Duration load = portal.fleetIndex().loadTime();
            out.printf("  fleet index: %,d meters loaded in %d ms (one projected read); the portal holds %,d MB more heap with it (%.1f KB a meter,"
                    + " everything the portal keeps included)%n", total, load.toMillis(), heap >> 20, heap / 1024.0 / Math.max(1, total));
            String base = "http://127.0.0.1:" + port;
            Accounts accounts = new Accounts(db, new Passwords(4), Clock.systemUTC(), new HashGate(vertx, 2, 64, Duration.ofSeconds(30)));
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < options.users(); i++) {
                String name = String.format("bench-staff-%02d", i);
                try {
                    accounts.create(name, "bench-password-1", Role.STAFF).toCompletionStage().toCompletableFuture().join();
                } catch (java.util.concurrent.CompletionException e) {
                    // made by an earlier run on this store
                }
                tokens.add(accounts.openSession(name, Role.STAFF, true).toCompletionStage().toCompletableFuture().join().token());
            }
            int lastPage = Math.max(1, (total + 199) / 200);
            List<Figure> figures = new ArrayList<>();
            figures.add(measure(base, tokens, "fleet page, first 50 meters", n -> "/", body -> body.contains("id=\"fleet-table\"")
                    && body.contains("</html>")));
            figures.add(measure(base, tokens, "fleet page, filtered (fault) and sorted (lastSeen)", n -> "/?state=fault&sort=lastSeen",
                    body -> body.contains("id=\"fleet-table\"")));
            figures.add(measure(base, tokens, "fleet API, first page", n -> "/api/v1/fleet", body -> json(body).path("total").asInt() == total));
            // Every other search an owner (meters 0, 3, 6, ... have one), the others a meter ID: each finds at least one meter.
            figures.add(measure(base, tokens, "fleet API, search (meter ID or owner)", n -> "/api/v1/fleet?q=" + (n % 2 == 0
                    ? meterId(n % total) : String.format("CUSTOMER-%05d", n % Math.max(1, total / 3))), body -> json(body).path("matched").asInt() > 0));
            figures.add(measure(base, tokens, "fleet API, filter (offline, silent)", n -> "/api/v1/fleet?state=offline&state=silent",
                    body -> json(body).path("matched").asInt() == json(body).path("counts").path("offline").asInt()
                            + json(body).path("counts").path("silent").asInt()));
            figures.add(measure(base, tokens, "fleet API, sorted by power (desc)", n -> "/api/v1/fleet?sort=powerW&size=100",
                    body -> json(body).path("items").size() == Math.min(100, total)));
            figures.add(measure(base, tokens, "fleet API, deep page (last of size 200)", n -> "/api/v1/fleet?size=200&page=" + lastPage,
                    body -> json(body).path("page").asInt() == lastPage && json(body).path("items").size() > 0));
            // Not the fleet view's: what the page's alarms section costs (computed from every meter document per call until
            // alarms are records), for comparison with the page's figures.
            figures.add(measure(base, tokens, "for comparison: alarms API (the page's alarms section)", n -> "/api/v1/alarms",
                    body -> body.startsWith("["), false));
            return new Result(figures, load, heap);
        } finally {
            portal.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** {@code tokens.size()} threads, each its own session and connection, requesting {@code path.apply(n)} for the phase's seconds. */
    private Figure measure(String base, List<String> tokens, String name, IntFunction<String> path, Predicate<String> right) throws Exception {
        return measure(base, tokens, name, path, right, true);
    }

    private Figure measure(String base, List<String> tokens, String name, IntFunction<String> path, Predicate<String> right, boolean target)
            throws Exception {
        Latencies latencies = new Latencies(5_000_000);
        AtomicLong ok = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong n = new AtomicLong();
        // Unmeasured warm-up, so that the first call measured is not the one that pays for the JIT.
        HttpClient warm = client();
        for (int i = 0; i < WARM_UP; i++) {
            get(warm, tokens.get(0), base + path.apply(i));
        }
        long end = System.nanoTime() + Duration.ofSeconds(options.seconds()).toNanos();
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (String token : tokens) {
            Thread t = new Thread(() -> {
                HttpClient http = client();
                while (System.nanoTime() < end) {
                    String url = base + path.apply((int) n.incrementAndGet());
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = get(http, token, url);
                        latencies.add((System.nanoTime() - t0) / 1000);
                        if (r.statusCode() == 200 && right.test(r.body())) {
                            ok.incrementAndGet();
                        } else if (wrong.incrementAndGet() == 1) {
                            out.printf("  %s: a wrong answer to %s: %d %s%n", name, url, r.statusCode(), r.body().length() > 200
                                    ? r.body().substring(0, 200) + "…" : r.body());
                        }
                    } catch (Exception e) {
                        wrong.incrementAndGet();
                    }
                }
            }, "bench-staff");
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Figure f = new Figure(name, ok.get() + wrong.get(), wrong.get(), latencies.percentileMillis(50), latencies.percentileMillis(95),
                latencies.percentileMillis(99), ok.get() / seconds);
        out.printf("  %s, %d staff at once: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%,d requests, %,.0f/s%s)%s%n", name,
                tokens.size(), f.p50(), f.p95(), f.p99(), f.requests(), f.perSecond(), f.wrong() == 0 ? "" : ", " + f.wrong() + " WRONG",
                !target ? "" : String.format(java.util.Locale.ROOT, "; target p95 < %.0f ms: %s", TARGET_P95_MS,
                        f.wrong() > 0 ? "MISSED (wrong answers)" : f.met() ? "met" : "MISSED"));
        return f;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpResponse<String> get(HttpClient http, String token, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + token).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (Exception e) {
            return Json.mapper().createObjectNode();
        }
    }
}
