package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.AccountsIT.Browser;
import dev.ims.portal.chart.BarChart;
import dev.ims.portal.web.LocalPathTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/** Security headers on every kind of answer, pages that work under the CSP, and log-in redirects that stay on the site. */
class WebHardeningIT {

    static Browser staff;

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        Mono.from(PortalIT.db.getCollection(METERS).deleteOne(new Document(ID, "hdr-1"))).block();
        Mono.from(PortalIT.db.getCollection(METERS).insertOne(new Document(ID, "hdr-1").append(CONNECTION, "ONLINE"))).block();
        staff = new Browser();
        HttpResponse<String> r = staff.postForm("/login", "/login", Map.of("username", "admin", "password", PortalIT.ADMIN_PASSWORD));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/meters/hdr-1", "/staff/tariffs", "/staff/broker", "/account", "/api/v1/meters", "/api/v1/meters/hdr-1",
        "/api/v1/broker",
        "/static/style.css", "/static/no-such-file.css", "/no-such-page", "/api/v1/no-such-call", "/login", "/health"})
    void everyAnswer_carriesTheSecurityHeaders(String path) throws Exception {
        HttpResponse<String> r = staff.get(path);
        assertThat(r.headers().firstValue("Content-Security-Policy")).as(path + " answered " + r.statusCode()).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'",
                        "base-uri 'none'", "object-src 'none'").doesNotContain("unsafe-inline", "unsafe-eval"));
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
    }

    @Test
    void errorAnswers_beforeTheRouter_carryTheHeadersToo() throws Exception {
        HttpResponse<String> anonymous = PortalIT.http.send(HttpRequest.newBuilder(AccountsIT.uri("/api/v1/meters")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Security-Policy")).isPresent();
        HttpResponse<String> tooBig = PortalIT.http.send(HttpRequest.newBuilder(AccountsIT.uri("/api/v1/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + "x".repeat(Portal.MAX_BODY_BYTES) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(tooBig.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(tooBig.headers().firstValue("X-Frame-Options")).hasValue("DENY");

        // Refused by the request guard in front of the router (sent raw: java.net.URI would not let it through).
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", PortalIT.port)) {
            s.getOutputStream().write(("GET /meters/not%ZZencoded HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\r\n\r\n")[0].toLowerCase(java.util.Locale.ROOT);
            assertThat(head).startsWith("http/1.1 400").contains("content-security-policy: default-src 'self'").contains("x-frame-options: deny");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/meters/hdr-1", "/meters/hdr-1?view=day", "/meters/hdr-1?view=year", "/staff/tariffs", "/staff/broker", "/account"})
    void pages_haveNoInlineScriptsNorInlineStyleAttributes_andEveryStyleElementIsAllowedByItsHash(String path) throws Exception {
        HttpResponse<String> r = staff.get(path);
        assertThat(r.statusCode()).isEqualTo(200);
        String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
        // Scripts only as files of this server, never inline (the fleet page's live updates: /static/fleet.js).
        String withoutOwnScripts = r.body().replaceAll("<script src=\"/static/[a-z-]+\\.js\" defer></script>", "");
        assertThat(withoutOwnScripts).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase(" style=").doesNotContainIgnoringCase(" on" + "click=");
        Matcher styles = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL).matcher(r.body());
        while (styles.find()) {
            String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(styles.group(1).getBytes(StandardCharsets.UTF_8)));
            assertThat(csp).as("the inline <style> of " + path).contains("'sha256-" + hash + "'");
        }
    }

    @Test
    void theMeterPage_showsAChart_whoseStyleTheCspAllows() throws Exception {
        HttpResponse<String> r = staff.get("/meters/hdr-1");
        assertThat(r.body()).contains("<svg").contains("<style>");
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains(BarChart.cspStyleSource());
    }

    @Test
    void anonymousPages_haveNoScriptsNorInlineStyles() throws Exception {
        for (String path : List.of("/login", "/signup")) {
            HttpResponse<String> r = new Browser().get(path);
            assertThat(r.body()).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase(" style=");
        }
    }

    @Test
    void apiLogin_isNeverCached_butAFailedOneNeedsNoSuchHeader() throws Exception {
        HttpResponse<String> ok = PortalIT.post("/api/v1/login", "{\"username\":\"admin\",\"password\":\"" + PortalIT.ADMIN_PASSWORD + "\"}", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    static Stream<String> hostileNext() {
        return Stream.of(LocalPathTest.HOSTILE_NEXT).filter(Objects::nonNull);
    }

    @ParameterizedTest
    @MethodSource("hostileNext")
    void logInForm_withAHostileNext_redirectsHome(String next) throws Exception {
        Browser b = new Browser();
        HttpResponse<String> page = b.get("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        assertThat(page.body()).contains("name=\"next\" value=\"/\"");
        HttpResponse<String> r = b.postForm("/login", "/login", Map.of("username", "admin", "password", PortalIT.ADMIN_PASSWORD, "next", next));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/meters/hdr-1", "/meters/hdr-1?view=day&date=2026-11-24", "/account"})
    void logInForm_withALocalNext_goesThere(String next) throws Exception {
        HttpResponse<String> r = new Browser().postForm("/login", "/login", Map.of("username", "admin", "password", PortalIT.ADMIN_PASSWORD, "next", next));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue(next);
        URI target = URI.create("http://127.0.0.1:1/").resolve(r.headers().firstValue("Location").orElseThrow());
        assertThat(target.getHost()).isEqualTo("127.0.0.1");
    }
}
