package dev.ims.model.meter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClaimCodesTest {

    private static final int FAST = 1000;

    @Test
    void newCode_hasTenCharactersOfTheAlphabetInTwoGroups() {
        String code = ClaimCodes.newCode();
        assertThat(code).matches("[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}");
        assertThat(ClaimCodes.newCode()).isNotEqualTo(code);
    }

    @Test
    void verifier_matchesItsCode_ignoringCaseSpacesAndDashes() {
        String v = ClaimCodes.verifier("K7QMD-2XHRT", FAST);
        assertThat(ClaimCodes.matches(v, "K7QMD-2XHRT")).isTrue();
        assertThat(ClaimCodes.matches(v, " k7qmd 2xhrt ")).isTrue();
    }

    @Test
    void verifier_refusesAnyOtherCode() {
        String v = ClaimCodes.verifier("K7QMD-2XHRT", FAST);
        assertThat(ClaimCodes.matches(v, "K7QMD-2XHRU")).isFalse();
        assertThat(ClaimCodes.matches(v, "")).isFalse();
        assertThat(ClaimCodes.matches(v, null)).isFalse();
    }

    @Test
    void verifier_doesNotContainTheCode_andIsSaltedEachTime() {
        String a = ClaimCodes.verifier("K7QMD-2XHRT", FAST);
        String b = ClaimCodes.verifier("K7QMD-2XHRT", FAST);
        assertThat(a).doesNotContain("K7QMD").doesNotContain("2XHRT").isNotEqualTo(b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "pbkdf2-sha256$10$AAAAAAAAAAAAAAAAAAAAAA$AAAA", "md5$1000$AAAA$AAAA",
            "pbkdf2-sha256$abc$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "pbkdf2-sha256$99999999$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void malformedVerifier_neverMatches(String verifier) {
        assertThat(ClaimCodes.isVerifier(verifier)).isFalse();
        assertThat(ClaimCodes.matches(verifier, "K7QMD-2XHRT")).isFalse();
    }

    @Test
    void verifierOf_readsTheBirthField_andIgnoresJunk() {
        String v = ClaimCodes.verifier("K7QMD-2XHRT", ClaimCodes.DEFAULT_ITERATIONS);
        Instant ts = Instant.parse("2026-11-24T10:00:00Z");
        assertThat(ClaimCodes.verifierOf(new StatusMessage("IMS-1", ConnectionState.ONLINE, ts, Map.of("claim", v)))).isEqualTo(v);
        assertThat(ClaimCodes.verifierOf(new StatusMessage("IMS-1", ConnectionState.ONLINE, ts, Map.of("claim", "K7QMD-2XHRT")))).isNull();
        assertThat(ClaimCodes.verifierOf(new StatusMessage("IMS-1", ConnectionState.ONLINE, ts, Map.of("claim", 42)))).isNull();
        assertThat(ClaimCodes.verifierOf(StatusMessage.of("IMS-1", ConnectionState.ONLINE, ts))).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 59_999, 60_001, 1_000_000})
    void verifierOf_withAnIterationCountTheDeviceChose_isIgnored(int iterations) {
        String v = ClaimCodes.verifier("K7QMD-2XHRT", iterations);
        assertThat(ClaimCodes.isVerifier(v)).isTrue();
        StatusMessage birth = new StatusMessage("IMS-1", ConnectionState.ONLINE, Instant.parse("2026-11-24T10:00:00Z"), Map.of("claim", v));
        assertThat(ClaimCodes.verifierOf(birth)).isNull();
    }
}
