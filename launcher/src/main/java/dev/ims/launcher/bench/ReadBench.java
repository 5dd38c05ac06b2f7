package dev.ims.launcher.bench;

import static dev.ims.model.storage.StoreSchema.ID;
import static dev.ims.model.storage.StoreSchema.METERS;
import static dev.ims.model.storage.StoreSchema.OWNER;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.json.Json;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.Portal;
import dev.ims.portal.PortalSettings;
import dev.ims.portal.account.Accounts;
import dev.ims.portal.account.HashGate;
import dev.ims.portal.account.Passwords;
import dev.ims.portal.account.Role;
import dev.ims.portal.web.HttpError;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * The read phase: the portal, started over a store holding {@link ReadData}, answers over HTTP what a consumer asks
 * of a meter with a year of 1-minute readings (usage by day and month, its dashboard, one day of readings as JSON and
 * CSV, its gap report), each {@code repetitions} times one after the other; then 20 signed-in consumers (20 threads,
 * each with its own session, HTTP connection and meter of the fleet) load their dashboards, and then their usage, as
 * fast as the portal serves them for {@code seconds}. Every answer is checked (status 200 and its content), so a fast
 * wrong answer does not count. Each figure is printed beside its target from issue 13.
 */
final class ReadBench {

    /**
     * @param repetitions sequential requests per single-user figure (after 3 unmeasured ones)
     * @param users concurrent signed-in consumers
     * @param seconds length of each concurrent phase
     */
    record Options(int repetitions, int users, int seconds) {}

    /**
     * One measured figure. Latencies in milliseconds; {@code perSecond} for the concurrent ones (else 0).
     *
     * @param wrong answers that were not 200 or whose content was not what the store holds
     * @param target the target's text, or null when the issue names none
     * @param met whether the target is met (true when there is none)
     */
    record Figure(String name, long requests, long wrong, double p50, double p95, double p99, double perSecond, String target, boolean met) {}

    record Result(List<Figure> figures) {
        long wrong() {
            return figures.stream().mapToLong(Figure::wrong).sum();
        }
    }

    private static final String PASSWORD = "bench-password-1";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final PortalSettings portalSettings;
    private final MongoDatabase db;
    private final ReadData.Loaded data;
    private final Options options;
    private final PrintStream out;
    private final UsageCalendar calendar;

    /** @param portalSettings the portal's settings (its port 0, its own data directory, the store's database) */
    ReadBench(PortalSettings portalSettings, MongoDatabase db, ReadData.Loaded data, Options options, PrintStream out) {
        this.portalSettings = portalSettings;
        this.db = db;
        this.data = data;
        this.options = options;
        this.out = out;
        this.calendar = new UsageCalendar(portalSettings.ims().timeZone());
    }

    Result run() throws Exception {
        Vertx vertx = Vertx.vertx();
        Portal portal = new Portal(portalSettings, db, vertx);
        try {
            int port = portal.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + port;
            Accounts accounts = new Accounts(db, new Passwords(4), Clock.systemUTC(), new HashGate(vertx, 2, 64, Duration.ofSeconds(30)));
            String yearToken = signIn(accounts, "bench-year-owner", data.yearMeter());
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < Math.min(options.users(), data.fleet().size()); i++) {
                tokens.add(signIn(accounts, String.format("bench-user-%02d", i), data.fleet().get(i)));
            }
            List<Figure> figures = new ArrayList<>();
            singleUser(base, yearToken, figures);
            figures.add(concurrent(base, tokens, "dashboards served per second to " + tokens.size() + " signed-in users",
                    meter -> "/meters/" + meter, ReadBench::isPage, 150.0));
            figures.add(concurrent(base, tokens, "usage API answers per second to " + tokens.size() + " signed-in users",
                    meter -> "/api/v1/meters/" + meter + "/usage?period=day", ReadBench::isJsonArray, null));
            return new Result(figures);
        } finally {
            portal.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** A consumer account (made with the portal's own account code) owning {@code meterId}, and an API session's token. */
    private String signIn(Accounts accounts, String username, String meterId) {
        try {
            accounts.create(username, PASSWORD, Role.CONSUMER).toCompletionStage().toCompletableFuture().join();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof HttpError h && h.status() == 409)) {
                throw e;
            }
        }
        // What claiming a meter records (the bench's meters are not enrolled devices, so they cannot be claimed over HTTP).
        Mono.from(db.getCollection(METERS).updateOne(Filters.eq(ID, meterId), Updates.set(OWNER, username))).block(REQUEST_TIMEOUT);
        return accounts.openSession(username, Role.CONSUMER, true).toCompletionStage().toCompletableFuture().join().token();
    }

    private void singleUser(String base, String token, List<Figure> figures) throws Exception {
        HttpClient http = client();
        String meter = data.yearMeter();
        LocalDate lastDay = calendar.dayOf(data.end().minusSeconds(60));
        LocalDate firstDay = calendar.dayOf(data.yearStart());
        LocalDate firstOf31 = lastDay.minusDays(30);
        LocalDate firstMonth = lastDay.minusMonths(11).withDayOfMonth(1);
        // The usage API lists the days and months that have readings: all 31 and 12 with a year of history.
        long days = java.time.temporal.ChronoUnit.DAYS.between(firstOf31.isAfter(firstDay) ? firstOf31 : firstDay, lastDay) + 1;
        long months = java.time.temporal.ChronoUnit.MONTHS.between(java.time.YearMonth.from(firstMonth.isAfter(firstDay) ? firstMonth : firstDay),
                java.time.YearMonth.from(lastDay)) + 1;
        figures.add(sequential(http, token, "day-usage API, 31 days, year meter", base + "/api/v1/meters/" + meter + "/usage?period=day&from="
                + firstOf31 + "&to=" + lastDay, body -> isJsonArray(body) && json(body).size() == days, 50));
        figures.add(sequential(http, token, "month-usage API, 12 months, year meter", base + "/api/v1/meters/" + meter
                + "/usage?period=month&from=" + firstMonth + "&to=" + lastDay, body -> isJsonArray(body) && json(body).size() == months, 50));
        figures.add(sequential(http, token, "dashboard page, year meter", base + "/meters/" + meter, ReadBench::isPage, 150));
        // A whole day in the middle of the history: 1 440 readings (the API's page holds at most 1 000).
        LocalDate day = calendar.dayOf(data.yearStart()).plusDays(Math.max(1, data.shape().yearDays() / 3));
        Instant dayStart = calendar.dayStart(day);
        Instant dayEnd = calendar.dayStart(day.plusDays(1));
        long inDay = readingsBetween(dayStart, dayEnd);
        String range = "from=" + dayStart + "&to=" + dayEnd;
        figures.add(sequential(http, token, "one day of readings, API (limit 1000), year meter", base + "/api/v1/meters/" + meter
                + "/readings?limit=1000&" + range, body -> isJsonArray(body) && json(body).size() == Math.min(1000, inDay), 50));
        figures.add(sequential(http, token, "one day of readings, CSV, year meter", base + "/api/v1/meters/" + meter + "/readings.csv?"
                + range, body -> body.lines().count() == inDay + 1, 50));
        int gaps = ReadData.gapCount(data.missing());
        figures.add(sequential(http, token, "gap report over the whole history, year meter", base + "/api/v1/meters/" + meter + "/gaps",
                body -> isJsonArray(body) && json(body).size() == gaps, 1000));
    }

    /** The year meter's readings with {@code from <= ts < to}: one a minute, but the missing seqs. */
    private long readingsBetween(Instant from, Instant to) {
        long first = Duration.between(data.yearStart(), from).toMinutes();
        long last = Duration.between(data.yearStart(), to).toMinutes() - 1;
        long n = Math.max(0, last - first + 1);
        for (long s : data.missing()) {
            if (s >= first && s <= last) {
                n--;
            }
        }
        return n;
    }

    private Figure sequential(HttpClient http, String token, String name, String url, Predicate<String> right, double targetMs)
            throws Exception {
        Latencies latencies = new Latencies(options.repetitions());
        long wrong = 0;
        for (int i = 0; i < 3; i++) {
            get(http, token, url);
        }
        for (int i = 0; i < options.repetitions(); i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(http, token, url);
            latencies.add((System.nanoTime() - t0) / 1000);
            if (r.statusCode() != 200 || !right.test(r.body())) {
                wrong++;
                if (wrong == 1) {
                    out.printf("  %s: a wrong answer: %d %s%n", name, r.statusCode(), abbreviate(r.body()));
                }
            }
        }
        double p95 = latencies.percentileMillis(95);
        Figure f = new Figure(name, options.repetitions(), wrong, latencies.percentileMillis(50), p95, latencies.percentileMillis(99), 0,
                "p95 < " + (targetMs >= 1000 ? (int) (targetMs / 1000) + " s" : (int) targetMs + " ms"), p95 < targetMs);
        out.printf("  %s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d requests%s); target %s: %s%n", name, f.p50(), f.p95(), f.p99(),
                f.requests(), wrong == 0 ? "" : ", " + wrong + " WRONG", f.target(), verdict(f));
        return f;
    }

    /** {@code tokens.size()} threads, each its own session and connection, requesting {@code path.apply(its meter)} for the phase's seconds. */
    private Figure concurrent(String base, List<String> tokens, String name, java.util.function.Function<String, String> path,
            Predicate<String> right, Double targetPerSecond) throws Exception {
        Latencies latencies = new Latencies(5_000_000);
        AtomicLong ok = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(options.seconds()).toNanos();
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            String url = base + path.apply(data.fleet().get(i));
            Thread t = new Thread(() -> {
                HttpClient http = client();
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = get(http, token, url);
                        latencies.add((System.nanoTime() - t0) / 1000);
                        if (r.statusCode() == 200 && right.test(r.body())) {
                            ok.incrementAndGet();
                        } else {
                            wrong.incrementAndGet();
                        }
                    } catch (Exception e) {
                        wrong.incrementAndGet();
                    }
                }
            }, "bench-user-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double rate = ok.get() / seconds;
        Figure f = new Figure(name, ok.get() + wrong.get(), wrong.get(), latencies.percentileMillis(50), latencies.percentileMillis(95),
                latencies.percentileMillis(99), rate, targetPerSecond == null ? null : ">= " + targetPerSecond.intValue() + "/s",
                targetPerSecond == null || rate >= targetPerSecond);
        out.printf("  %s: %,.0f/s (p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; %,d requests%s); target %s%n", name, rate, f.p50(), f.p95(),
                f.p99(), f.requests(), f.wrong() == 0 ? "" : ", " + f.wrong() + " WRONG",
                f.target() == null ? "none (before: dashboards 9/s, usage API 95/s)" : f.target() + ": " + verdict(f));
        return f;
    }

    private static String verdict(Figure f) {
        return f.wrong() > 0 ? "MISSED (wrong answers)" : f.met() ? "met" : "MISSED";
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpResponse<String> get(HttpClient http, String token, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + token).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean isPage(String body) {
        return body.contains("</html>");
    }

    private static boolean isJsonArray(String body) {
        return body.startsWith("[");
    }

    private static JsonNode json(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (Exception e) {
            return Json.mapper().createObjectNode();
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
