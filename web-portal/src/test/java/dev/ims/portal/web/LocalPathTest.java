package dev.ims.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.account.AuthRoutes;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

public class LocalPathTest {

    /** Targets a browser could take to another origin, or that carry what it would repair. */
    static Stream<String> hostile() {
        return Stream.of(HOSTILE_NEXT);
    }

    /** Also sent through the real log-in form by WebHardeningIT. */
    public static final String[] HOSTILE_NEXT = {
        null, "", "//evil.example", "//evil.example/x", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
        "/\n/evil.example", "/\r/evil.example", "/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example", "/%2F%2Fevil.example",
        "/%2f/evil.example", "/%5Cevil.example", "/%5c%5cevil.example", "/%252F%252Fevil.example", "/%25252F%25252Fevil", "https://evil.example",
        "http:evil.example", "HTTPS://evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
        "/ /evil.example", " /evil", "/evil ", "/\u0000", "/%00", "/\u007f", "/%7f", "/\u0085evil", "/%C2%85evil", "/\u2028evil", "/%E2%80%A8evil",
        "/\u3002evil.example", "/\uFF0F/evil.example", "\uFF0F\uFF0Fevil.example", "/\u2215\u2215evil", "/\u202Eelpmaxe.live", "/%", "/%zz",
        "/%E0%A4%A", "evil.example", "meters/m-1", "?next=//evil", "#//evil", "/x" + "y".repeat(1000), "\\/evil.example", "/\\/evil.example",
        "//", "/@evil.example".replace("/@", "//@"),
    };

    @ParameterizedTest
    @MethodSource("hostile")
    void hostileTarget_isRefused_andBecomesTheHomePage(String target) {
        assertThat(LocalPath.isSafe(target)).isFalse();
        assertThat(AuthRoutes.safeNext(target)).isEqualTo("/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/meters/m-1", "/meters/m-1?view=day&date=2026-11-24", "/account", "/staff/tariffs#form",
        "/login%3Fnext%3D%2F", "/meters/m-1%20", "/@evil.example", "/.well-known/x", "/a/b/../c", "/meters/IMS-01JD3T9K2Q?view=year"})
    void localPath_isKept(String target) {
        assertThat(LocalPath.isSafe(target)).isTrue();
        assertThat(AuthRoutes.safeNext(target)).isEqualTo(target);
    }
}
