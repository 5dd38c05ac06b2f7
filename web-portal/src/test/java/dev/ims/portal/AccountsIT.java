package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.json.Json;
import dev.ims.model.meter.ClaimCodes;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/** Accounts, sessions, CSRF, throttling and meter claims over real HTTP, on the portal PortalIT starts. */
class AccountsIT {

    static final String CODE_1 = "ABCDE-FGHJK";
    static final String CODE_2 = "KLMNP-QRSTU";

    @BeforeEach
    void meters() throws Exception {
        PortalIT.start();
        for (String c : List.of(METERS, DAILY, COMMANDS)) {
            Mono.from(PortalIT.db.getCollection(c).drop()).block();
        }
        Mono.from(PortalIT.db.getCollection(METERS).insertOne(new Document(ID, "m-1").append(CONNECTION, "ONLINE")
                .append(CLAIM_VERIFIER, ClaimCodes.verifier(CODE_1, 1000)))).block();
        Mono.from(PortalIT.db.getCollection(METERS).insertOne(new Document(ID, "m-2").append(CONNECTION, "ONLINE")
                .append(CLAIM_VERIFIER, ClaimCodes.verifier(CODE_2, 1000)))).block();
        PortalIT.enrolled(PortalIT.db, "m-1");
        PortalIT.enrolled(PortalIT.db, "m-2");
    }

    @Test
    void firstStaffAccount_isCreatedAtStart_withABcryptHash() {
        Document admin = Mono.from(PortalIT.db.getCollection(USERS).find(new Document(ID, "admin")).first()).block();
        assertThat(admin.getString("role")).isEqualTo("STAFF");
        assertThat(admin.getString("passwordHash")).startsWith("$2b$04$").doesNotContain(PortalIT.ADMIN_PASSWORD);
    }

    @Test
    void weakAdminPassword_failsTheStart_namingTheVariable() throws Exception {
        dev.ims.model.config.ImsSettings ims = dev.ims.model.config.ImsSettings.load(
                Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", "short"), Map.of());
        Portal weak = new Portal(PortalSettings.load(ims, Map.of()).withPasswordCost(4), PortalIT.db, PortalIT.vertx);
        Throwable failure = weak.start().toCompletionStage().toCompletableFuture().handle((port, e) -> e).get();
        assertThat(failure).hasMessageContaining("IMS_ADMIN_PASSWORD").hasMessageContaining("at least 10 characters");
    }

    @Test
    void behindAProxy_theAddressLimitFollowsXForwardedFor() throws Exception {
        dev.ims.model.config.ImsSettings ims = dev.ims.model.config.ImsSettings.load(Map.of("HTTP_PORT", "0"), Map.of());
        Portal proxied = new Portal(PortalSettings.load(ims, Map.of("PORTAL_BEHIND_PROXY", "true")).withPasswordCost(4), PortalIT.db, PortalIT.vertx);
        int port = proxied.start().toCompletionStage().toCompletableFuture().get();
        try {
            for (int i = 0; i < 30; i++) {
                assertThat(loginFrom(port, "10.0.0.1", name("nobody")).statusCode()).isEqualTo(401);
            }
            assertThat(loginFrom(port, "10.0.0.1", name("nobody")).statusCode()).isEqualTo(429);
            assertThat(loginFrom(port, "10.0.0.2", name("nobody")).statusCode()).isEqualTo(401);
        } finally {
            proxied.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static HttpResponse<String> loginFrom(int port, String address, String user) throws Exception {
        return PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/login"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", address)
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"whatever-123\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/meters", "/api/v1/meters/m-1", "/api/v1/meters/m-1/usage", "/api/v1/rejected", "/api/v1/me"})
    void api_withoutAToken_answers401(String path) throws Exception {
        JsonNode body = Json.mapper().readTree(PortalIT.getText(path, 401, null));
        assertThat(body.get("error").asText()).contains("sign in");
        assertThat(PortalIT.getText(path, 401, "forged-token-" + UUID.randomUUID())).contains("session has ended");
    }

    @Test
    void pages_withoutASession_redirectToLogin() throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(uri("/meters/m-1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/login?next=%2Fmeters%2Fm-1");
    }

    @Test
    void consumer_claimsOwnMeterWithItsCode_andSeesNothingElse() throws Exception {
        Browser alice = Browser.signUp(name("alice"));
        String token = PortalIT.login(alice.username, Browser.PASSWORD);
        assertThat(Json.mapper().readTree(PortalIT.getText("/api/v1/meters", 200, token))).isEmpty();
        HttpResponse<String> wrong = PortalIT.post("/api/v1/meters/m-1/claim", "{\"claimCode\":\"" + CODE_2 + "\"}", token);
        assertThat(wrong.statusCode()).isEqualTo(400);
        HttpResponse<String> right = PortalIT.post("/api/v1/meters/m-1/claim", "{\"claimCode\":\"abcde fghjk\"}", token);
        assertThat(right.statusCode()).as(right.body()).isEqualTo(200);

        JsonNode mine = Json.mapper().readTree(PortalIT.getText("/api/v1/meters", 200, token));
        assertThat(mine).extracting(m -> m.get("meterId").asText()).containsExactly("m-1");
        assertThat(mine.get(0).has(CLAIM_VERIFIER)).isFalse();
        PortalIT.getText("/api/v1/meters/m-1/usage", 200, token);
        for (String path : List.of("/api/v1/meters/m-2", "/api/v1/meters/m-2/usage", "/api/v1/meters/m-2/readings",
                "/api/v1/meters/m-2/gaps")) {
            assertThat(PortalIT.getText(path, 404, token)).contains("no meter m-2");
        }
        PortalIT.getText("/meters/m-2", 404, token);
        PortalIT.getText("/api/v1/rejected", 403, token);
        assertThat(Json.mapper().readTree(PortalIT.getText("/api/v1/meters", 200, PortalIT.staffToken))).hasSize(2);
    }

    @Test
    void relayCommands_staffOnly_followedByTheOwner_invisibleToOthers_andRefusedWithoutABroker() throws Exception {
        String alice = PortalIT.login(Browser.signUp(name("alice")).username, Browser.PASSWORD);
        String bob = PortalIT.login(Browser.signUp(name("bob")).username, Browser.PASSWORD);
        assertThat(PortalIT.post("/api/v1/meters/m-1/claim", "{\"claimCode\":\"" + CODE_1 + "\"}", alice).statusCode()).isEqualTo(200);
        String command = "{\"relay\":\"OFF\",\"reason\":\"test\"}";
        assertThat(PortalIT.post("/api/v1/meters/m-1/relay", command, alice).statusCode()).as("the owner may not switch").isEqualTo(403);
        assertThat(PortalIT.post("/api/v1/meters/m-1/relay", command, bob).statusCode()).isEqualTo(403);
        HttpResponse<String> noBroker = PortalIT.post("/api/v1/meters/m-1/relay", command, PortalIT.staffToken);
        assertThat(noBroker.statusCode()).isEqualTo(503);
        assertThat(noBroker.body()).contains("MQTT_URL");

        String id = UUID.randomUUID().toString();
        Mono.from(PortalIT.db.getCollection(COMMANDS).insertOne(new Document(ID, id).append(METER_ID, "m-1").append(RELAY, "OFF")
                .append(REASON, "unpaid").append(REQUESTED_BY, "admin").append(STATE, "VERIFIED")
                .append(REQUESTED_AT, new java.util.Date()).append(HISTORY, List.of(new Document(STATE, "PENDING"))))).block();
        JsonNode seen = Json.mapper().readTree(PortalIT.getText("/api/v1/commands/" + id, 200, alice));
        assertThat(seen.get("state").asText()).isEqualTo("VERIFIED");
        assertThat(seen.has("requestedBy")).as("staff names are not shown to consumers").isFalse();
        assertThat(Json.mapper().readTree(PortalIT.getText("/api/v1/meters/m-1/commands", 200, alice))).hasSize(1);
        PortalIT.getText("/api/v1/commands/" + id, 404, bob);
        PortalIT.getText("/api/v1/meters/m-1/commands", 404, bob);
        PortalIT.getText("/api/v1/commands/not-a-command", 404, PortalIT.staffToken);
        assertThat(Json.mapper().readTree(PortalIT.getText("/api/v1/commands/" + id, 200, PortalIT.staffToken)).get("requestedBy").asText())
                .isEqualTo("admin");
    }

    @Test
    void meterClaimedByOneConsumer_cannotBeClaimedByAnother_evenWithTheCode() throws Exception {
        String a = PortalIT.login(Browser.signUp(name("a")).username, Browser.PASSWORD);
        String b = PortalIT.login(Browser.signUp(name("b")).username, Browser.PASSWORD);
        assertThat(PortalIT.post("/api/v1/meters/m-2/claim", "{\"claimCode\":\"" + CODE_2 + "\"}", a).statusCode()).isEqualTo(200);
        assertThat(PortalIT.post("/api/v1/meters/m-2/claim", "{\"claimCode\":\"" + CODE_2 + "\"}", b).statusCode()).isEqualTo(409);
        PortalIT.getText("/api/v1/meters/m-2", 404, b);
    }

    @Test
    void wrongClaimCodes_areThrottledPerAccount() throws Exception {
        String t = PortalIT.login(Browser.signUp(name("guess")).username, Browser.PASSWORD);
        for (int i = 0; i < 10; i++) {
            assertThat(PortalIT.post("/api/v1/meters/m-1/claim", "{\"claimCode\":\"AAAAA-AAAA" + i + "\"}", t).statusCode()).isEqualTo(400);
        }
        HttpResponse<String> r = PortalIT.post("/api/v1/meters/m-1/claim", "{\"claimCode\":\"" + CODE_1 + "\"}", t);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void failedLogins_areThrottled_withRetryAfter_andNoHint() throws Exception {
        String user = Browser.signUp(name("victim")).username;
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = PortalIT.post("/api/v1/login", "{\"username\":\"" + user + "\",\"password\":\"wrong-password-" + i + "\"}", null);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).contains("wrong username or password");
        }
        HttpResponse<String> blocked = PortalIT.post("/api/v1/login", "{\"username\":\"" + user + "\",\"password\":\"" + Browser.PASSWORD + "\"}", null);
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void unknownUser_andWrongPassword_answerTheSame() throws Exception {
        HttpResponse<String> r = PortalIT.post("/api/v1/login", "{\"username\":\"" + name("ghost") + "\",\"password\":\"whatever-123\"}", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("wrong username or password");
    }

    @Test
    void form_withoutTheCsrfToken_isRefused_andWithItAccepted() throws Exception {
        Browser alice = Browser.signUp(name("csrf"));
        HttpResponse<String> forged = alice.post("/account/meters", Map.of("meterId", "m-1", "claimCode", CODE_1));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("reload the page");
        HttpResponse<String> real = alice.postForm("/account", "/account/meters", Map.of("meterId", "m-1", "claimCode", CODE_1));
        assertThat(real.statusCode()).isEqualTo(303);
        assertThat(real.headers().firstValue("Location")).hasValue("/meters/m-1");
    }

    @Test
    void passwordChange_endsTheOtherSessions_andTheNewPasswordWorks() throws Exception {
        Browser bob = Browser.signUp(name("bob"));
        String apiToken = PortalIT.login(bob.username, Browser.PASSWORD);
        HttpResponse<String> r = bob.postForm("/account", "/account/password",
                Map.of("current", Browser.PASSWORD, "password", "a-new-password-456", "password2", "a-new-password-456"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("Password changed");
        PortalIT.getText("/api/v1/me", 401, apiToken);
        assertThat(bob.get("/account").statusCode()).isEqualTo(200);
        PortalIT.login(bob.username, "a-new-password-456");
        assertThat(PortalIT.post("/api/v1/login", "{\"username\":\"" + bob.username + "\",\"password\":\"" + Browser.PASSWORD + "\"}", null)
                .statusCode()).isEqualTo(401);
    }

    @Test
    void signup_refusesTakenNames_shortPasswords_andBadNames() throws Exception {
        String user = Browser.signUp(name("taken")).username;
        Browser other = new Browser();
        assertThat(other.postForm("/signup", "/signup", Map.of("username", user, "password", Browser.PASSWORD, "password2", Browser.PASSWORD))
                .body()).contains("that username is taken");
        assertThat(other.postForm("/signup", "/signup", Map.of("username", name("short"), "password", "short", "password2", "short"))
                .body()).contains("at least 10 characters");
        assertThat(other.postForm("/signup", "/signup", Map.of("username", "<script>", "password", Browser.PASSWORD, "password2", Browser.PASSWORD))
                .body()).contains("a username has 3 to 32 characters").doesNotContain("<script>");
    }

    @Test
    void logout_endsTheSession() throws Exception {
        Browser carol = Browser.signUp(name("carol"));
        assertThat(carol.get("/account").statusCode()).isEqualTo(200);
        assertThat(carol.postForm("/account", "/logout", Map.of()).statusCode()).isEqualTo(303);
        assertThat(carol.get("/account").statusCode()).isEqualTo(303);
    }

    @Test
    void sessionCookie_isHttpOnly_andSameSite() throws Exception {
        Browser dave = new Browser();
        HttpResponse<String> r = dave.postForm("/signup", "/signup",
                Map.of("username", name("dave"), "password", Browser.PASSWORD, "password2", Browser.PASSWORD));
        String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("ims_session=")).findFirst().orElseThrow();
        assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax").contains("Path=/");
    }

    @Test
    void loginNext_neverLeavesTheSite() {
        assertThat(dev.ims.portal.account.AuthRoutes.safeNext("//evil.example/x")).isEqualTo("/");
        assertThat(dev.ims.portal.account.AuthRoutes.safeNext("https://evil.example/")).isEqualTo("/");
        assertThat(dev.ims.portal.account.AuthRoutes.safeNext("/meters/m-1")).isEqualTo("/meters/m-1");
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + PortalIT.port + path);
    }

    /** A cookie-keeping client that fills in forms the way a browser does (hidden CSRF field included). */
    static final class Browser {
        static final String PASSWORD = "correct-horse-42";
        private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]*)\"");
        final HttpClient client = dev.ims.portal.apidoc.ContractCheckingHttpClient.of(HttpClient.newBuilder().cookieHandler(new CookieManager()).build());
        String username;

        static Browser signUp(String username) throws Exception {
            Browser b = new Browser();
            HttpResponse<String> r = b.postForm("/signup", "/signup", Map.of("username", username, "password", PASSWORD, "password2", PASSWORD));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
            b.username = username;
            return b;
        }

        HttpResponse<String> get(String path) throws Exception {
            return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        }

        /** Loads {@code page}, takes its CSRF field, and posts {@code fields} to {@code action}. */
        HttpResponse<String> postForm(String page, String action, Map<String, String> fields) throws Exception {
            Matcher m = CSRF.matcher(get(page).body());
            assertThat(m.find()).as("a csrf field on " + page).isTrue();
            Map<String, String> all = new LinkedHashMap<>(fields);
            all.put("csrf", m.group(1));
            return post(action, all);
        }

        HttpResponse<String> post(String action, Map<String, String> fields) throws Exception {
            String form = fields.entrySet().stream()
                    .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            return client.send(HttpRequest.newBuilder(uri(action)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
