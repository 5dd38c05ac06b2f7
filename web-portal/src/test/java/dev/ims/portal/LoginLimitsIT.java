package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.meter.ClaimCodes;
import dev.ims.portal.account.AuthLimits;
import dev.ims.portal.account.AuthRoutes;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Log-in, claim-code and sign-up limits and the cap on concurrent password hashes, over real HTTP on a
 * portal of its own with the default limits, behind a (pretend) proxy so that each test can come from
 * addresses of its own through {@code X-Forwarded-For}.
 */
class LoginLimitsIT {

    static final String PASSWORD = "correct-horse-42";
    static final String CODE = "ABCDE-FGHJK";
    static final AtomicInteger ADDRESSES = new AtomicInteger(1);
    static Portal portal;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0"), Map.of());
        portal = new Portal(PortalSettings.load(ims, Map.of("PORTAL_BEHIND_PROXY", "true")).withPasswordCost(4), PortalIT.db, PortalIT.vertx);
        port = portal.start().toCompletionStage().toCompletableFuture().get();
    }

    @AfterAll
    static void stop() {
        portal.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void parallelWrongPasswords_getAtMostTheLimitOfChecks_theRest429_andTheOwnerElsewhereStillLogsIn() throws Exception {
        String attacker = address();
        String user = signUp(name("victim"), address());
        List<HttpResponse<String>> answers = parallel(25, i -> login(user, "wrong-password-" + i, attacker));

        long checked = answers.stream().filter(r -> r.statusCode() == 401).count();
        long refused = answers.stream().filter(r -> r.statusCode() == 429).count();
        assertThat(checked).as("passwords actually checked").isBetween(1L, 5L);
        assertThat(checked + refused).as("every answer is 401 or 429").isEqualTo(25);
        assertThat(answers).filteredOn(r -> r.statusCode() == 429)
                .allSatisfy(r -> assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isPositive());
        assertThat(login(user, PASSWORD, attacker).statusCode()).as("the attacker's address waits, even with the right password").isEqualTo(429);

        HttpResponse<String> owner = login(user, PASSWORD, address());
        assertThat(owner.statusCode()).as("the owner at another address is not locked out").isEqualTo(200);
        assertThat(owner.headers().firstValue("Cache-Control")).as("the answer carries a token").hasValue("no-store");
    }

    @Test
    void manyAccountsFromOneAddress_hitTheAddressLimit_whileOtherAddressesGoOn() throws Exception {
        String attacker = address();
        List<HttpResponse<String>> answers = parallel(60, i -> login(name("spray"), "wrong-password-1", attacker));
        assertThat(answers.stream().filter(r -> r.statusCode() == 401).count()).isLessThanOrEqualTo(AuthLimits.DEFAULT_LOGIN_PER_ADDRESS.free());
        // Up to 30 reach the password check at once, more than the hash gate runs or lets wait: those get a 503
        // (and their attempt does not count), the rest a 429.
        // (isSubsetOf: whether any 503 comes depends on timing; containsOnly would demand one.)
        assertThat(answers).extracting(HttpResponse::statusCode).isSubsetOf(401, 429, 503).contains(401, 429);
        assertThat(login(name("spray"), "wrong-password-1", address()).statusCode()).isEqualTo(401);
    }

    @Test
    void loggingIntoOnesOwnAccount_doesNotWipeTheAddressesFailures() throws Exception {
        String attacker = address();
        String own = signUp(name("own"), address());
        int free = AuthLimits.DEFAULT_LOGIN_PER_ADDRESS.free();
        for (int i = 0; i < free - 1; i++) {
            assertThat(login(name("spray"), "wrong-password-1", attacker).statusCode()).isEqualTo(401);
        }
        assertThat(login(own, PASSWORD, attacker).statusCode()).isEqualTo(200);
        assertThat(login(name("spray"), "wrong-password-1", attacker).statusCode()).as("the last free failure").isEqualTo(401);
        assertThat(login(name("spray"), "wrong-password-1", attacker).statusCode()).isEqualTo(429);
    }

    @Test
    void parallelWrongClaimCodes_getAtMostTheLimitOfChecks_theRest429() throws Exception {
        String meter = "lim-" + UUID.randomUUID().toString().substring(0, 8);
        Mono.from(PortalIT.db.getCollection(METERS).insertOne(new Document(ID, meter).append(CONNECTION, "ONLINE")
                .append(CLAIM_VERIFIER, ClaimCodes.verifier(CODE, 1000)))).block();
        PortalIT.enrolled(PortalIT.db, meter);
        String from = address();
        String token = Json.mapper().readTree(login(signUp(name("guesser"), from), PASSWORD, from).body()).get("token").asText();
        List<HttpResponse<String>> answers = parallel(30, i -> send("POST", "/api/v1/meters/" + meter + "/claim",
                "{\"claimCode\":\"AAAAA-AAA" + (10 + i) + "\"}", token, from));
        long checked = answers.stream().filter(r -> r.statusCode() == 400).count();
        assertThat(checked).isBetween(1L, (long) AuthLimits.DEFAULT_CLAIMS_PER_ACCOUNT.free());
        assertThat(answers.stream().filter(r -> r.statusCode() == 429).count()).isEqualTo(30 - checked);
        assertThat(send("POST", "/api/v1/meters/" + meter + "/claim", "{\"claimCode\":\"" + CODE + "\"}", token, from).statusCode())
                .as("even the right code waits").isEqualTo(429);
    }

    @Test
    void signUps_areLimitedPerAddress_with429AndRetryAfter() throws Exception {
        String from = address();
        int free = AuthLimits.DEFAULT_SIGNUPS_PER_ADDRESS.free();
        for (int i = 0; i < free; i++) {
            signUp(name("many"), from);
        }
        HttpResponse<String> refused = signUpAnswer(name("many"), from);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("too many new accounts");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isGreaterThan(60);
        assertThat(signUpAnswer(name("other"), address()).statusCode()).as("another address").isEqualTo(303);
    }

    @Test
    void parallelSignUps_fromOneAddress_createAtMostTheLimit() throws Exception {
        String from = address();
        List<HttpResponse<String>> answers = parallel(15, i -> signUpAnswer(name("rush"), from));
        assertThat(answers.stream().filter(r -> r.statusCode() == 303).count()).isEqualTo(AuthLimits.DEFAULT_SIGNUPS_PER_ADDRESS.free());
        assertThat(answers.stream().filter(r -> r.statusCode() == 429).count()).isEqualTo(15 - AuthLimits.DEFAULT_SIGNUPS_PER_ADDRESS.free());
    }

    @Test
    void pastTheHashCap_logInsAnswer503WithRetryAfter_neverQueueing() throws Exception {
        // One hash at a time, nobody waits, and a real cost (about 250 ms a check): parallel log-ins must collide.
        ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0"), Map.of());
        Portal busy = new Portal(PortalSettings.load(ims, Map.of("PORTAL_BEHIND_PROXY", "true")).withPasswordCost(12)
                .withLimits(AuthLimits.DEFAULTS.withHashes(1, 0, Duration.ZERO)), PortalIT.db, PortalIT.vertx);
        int busyPort = busy.start().toCompletionStage().toCompletableFuture().get();
        try {
            List<HttpResponse<String>> answers = parallel(8, i -> send(busyPort, "POST", "/api/v1/login",
                    "{\"username\":\"" + name("nobody") + "\",\"password\":\"wrong-password-1\"}", null, address()));
            assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(401, 503).contains(401, 503);
            assertThat(answers).filteredOn(r -> r.statusCode() == 503).allSatisfy(r -> {
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                assertThat(r.body()).contains("busy");
            });
        } finally {
            busy.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void aUsernameWithLineBreaks_isLoggedEscaped_onOneLine() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(AuthRoutes.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        try {
            String forged = "mallory\r\n12:00:00.000 INFO  AuthRoutes Log-in of 'admin' from 10.0.0.1 ok";
            HttpResponse<String> r = send("POST", "/api/v1/login", Json.mapper().writeValueAsString(Map.of("username", forged, "password", "x")),
                    null, address());
            assertThat(r.statusCode()).isEqualTo(400);
            List<String> lines = captured.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("mallory")).toList();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).contains("mallory\\r\\n12:00:00.000").doesNotContain("\r").doesNotContain("\n");
        } finally {
            log.detachAppender(captured);
        }
    }

    // ---- helpers

    interface Call {
        HttpResponse<String> send(int i) throws Exception;
    }

    /** {@code n} calls started together, their answers in order. */
    static List<HttpResponse<String>> parallel(int n, Call call) {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            all.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return call.send(k);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, POOL));
        }
        return all.stream().map(CompletableFuture::join).toList();
    }

    static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool();
    static final HttpClient HTTP = dev.ims.portal.apidoc.ContractCheckingHttpClient.of(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());

    static HttpResponse<String> login(String user, String password, String from) throws Exception {
        return send("POST", "/api/v1/login", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}", null, from);
    }

    static HttpResponse<String> send(String method, String path, String body, String token, String from) throws Exception {
        return send(port, method, path, body, token, from);
    }

    static HttpResponse<String> send(int port, String method, String path, String body, String token, String from) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("X-Forwarded-For", from)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String signUp(String user, String from) throws Exception {
        HttpResponse<String> r = signUpAnswer(user, from);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        return user;
    }

    static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]*)\"");

    /** The sign-up form filled in as a browser does, from address {@code from}. */
    static HttpResponse<String> signUpAnswer(String user, String from) throws Exception {
        HttpClient browser = dev.ims.portal.apidoc.ContractCheckingHttpClient.of(HttpClient.newBuilder().cookieHandler(new CookieManager()).build());
        URI uri = URI.create("http://127.0.0.1:" + port + "/signup");
        Matcher m = CSRF.matcher(browser.send(HttpRequest.newBuilder(uri).header("X-Forwarded-For", from).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(m.find()).isTrue();
        String form = Map.of("username", user, "password", PASSWORD, "password2", PASSWORD, "csrf", m.group(1)).entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return browser.send(HttpRequest.newBuilder(uri).header("X-Forwarded-For", from).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A fresh client address for each use, so tests never share a limit. */
    static String address() {
        int n = ADDRESSES.getAndIncrement();
        return "10.77." + (n / 250) + "." + (n % 250 + 1);
    }

    static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
