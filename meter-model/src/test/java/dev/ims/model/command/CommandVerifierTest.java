package dev.ims.model.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.command.Verification.Outcome;
import dev.ims.model.reading.RelayState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandVerifierTest {

    private static final String METER = "IMS-01JD3T9K2Q";
    private static final Instant TS = Instant.parse("2026-11-29T17:00:00Z");
    private static final Instant NOW = TS.plusSeconds(10);
    private static final CommandSigningKey KEY = CommandSigningKey.generate();
    private static final CommandSigningKey OTHER_KEY = CommandSigningKey.generate();
    private static final CommandVerifier VERIFIER = new CommandVerifier(CommandKeySet.of(KEY.publicKey()));

    private static RelayCommand signed() {
        return KEY.signer().sign(METER, new RelayCommand("cmd-1", RelayState.OFF, TS), Duration.ofMinutes(5));
    }

    @Test
    void signedCommand_forThisMeter_withinItsValidity_isValid() {
        Verification v = VERIFIER.verify(METER, signed(), NOW);
        assertThat(v.ok()).isTrue();
        assertThat(v.outcome()).isEqualTo(Outcome.VALID);
    }

    @Test
    void signedCommand_survivesEncodeAndDecode_andStillVerifies() {
        RelayCommand decoded = RelayCommand.decode(signed().encode());
        assertThat(decoded).isEqualTo(signed().withSignature(decoded.expiresAt(), decoded.keyId(), decoded.sig()));
        assertThat(VERIFIER.verify(METER, decoded, NOW).ok()).isTrue();
    }

    @Test
    void signature_isBase64urlWithoutPadding_ofAnEd25519Signature() {
        assertThat(signed().sig()).matches("[A-Za-z0-9_-]{86}");
        assertThat(signed().keyId()).isEqualTo(CommandKeys.keyId(KEY.publicKey())).matches("[0-9a-f]{16}");
    }

    @Test
    void signedBytes_areTheDocumentedCanonicalString() {
        RelayCommand c = signed();
        assertThat(new String(c.signedBytes(METER), StandardCharsets.UTF_8))
                .isEqualTo("ims-relay-command/1\nIMS-01JD3T9K2Q\ncmd-1\nOFF\n2026-11-29T17:00:00Z\n2026-11-29T17:05:00Z");
    }

    @Test
    void timesWrittenInAnotherIsoForm_stillVerify() {
        String json = new String(signed().encode(), StandardCharsets.UTF_8)
                .replace("2026-11-29T17:00:00Z", "2026-11-29T18:00:00.000+01:00");
        assertThat(VERIFIER.verify(METER, RelayCommand.decode(json.getBytes(StandardCharsets.UTF_8)), NOW).ok()).isTrue();
    }

    static Stream<Arguments> alterations() {
        return Stream.<Arguments>of(
                Arguments.of("commandId", (UnaryOperator<RelayCommand>) c -> new RelayCommand("cmd-2", c.relay(), c.ts(), c.expiresAt(), c.keyId(), c.sig())),
                Arguments.of("relay", (UnaryOperator<RelayCommand>) c -> new RelayCommand(c.commandId(), RelayState.ON, c.ts(), c.expiresAt(), c.keyId(), c.sig())),
                Arguments.of("ts", (UnaryOperator<RelayCommand>) c -> new RelayCommand(c.commandId(), c.relay(), c.ts().plusSeconds(1), c.expiresAt(), c.keyId(), c.sig())),
                Arguments.of("expiresAt", (UnaryOperator<RelayCommand>) c -> new RelayCommand(c.commandId(), c.relay(), c.ts(), c.expiresAt().plusSeconds(3600), c.keyId(), c.sig())),
                Arguments.of("sig, one character", (UnaryOperator<RelayCommand>) c -> c.withSignature(c.expiresAt(), c.keyId(),
                        (c.sig().charAt(0) == 'A' ? "B" : "A") + c.sig().substring(1))),
                Arguments.of("sig, garbage base64", (UnaryOperator<RelayCommand>) c -> c.withSignature(c.expiresAt(), c.keyId(), "not base64!")),
                Arguments.of("sig, too short", (UnaryOperator<RelayCommand>) c -> c.withSignature(c.expiresAt(), c.keyId(), "AAAA")),
                Arguments.of("expiresAt removed", (UnaryOperator<RelayCommand>) c -> c.withSignature(null, c.keyId(), c.sig())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alterations")
    void alteredCommand_hasABadSignature(String altered, UnaryOperator<RelayCommand> alter) {
        Verification v = VERIFIER.verify(METER, alter.apply(signed()), NOW);
        assertThat(v.outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
    }

    @Test
    void commandSignedForAnotherMeter_hasABadSignatureOnThisMeter() {
        RelayCommand forOther = KEY.signer().sign("IMS-OTHERMETER", new RelayCommand("cmd-1", RelayState.OFF, TS), Duration.ofMinutes(5));
        assertThat(VERIFIER.verify("IMS-OTHERMETER", forOther, NOW).ok()).isTrue();
        Verification v = VERIFIER.verify(METER, forOther, NOW);
        assertThat(v.outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
        assertThat(v.detail()).contains(METER);
    }

    @Test
    void unsignedCommand_isUnsigned() {
        assertThat(VERIFIER.verify(METER, new RelayCommand("cmd-1", RelayState.OFF, TS), NOW).outcome()).isEqualTo(Outcome.UNSIGNED);
    }

    @Test
    void signatureWithoutKeyId_isUnsigned() {
        RelayCommand c = signed();
        assertThat(VERIFIER.verify(METER, c.withSignature(c.expiresAt(), null, c.sig()), NOW).outcome()).isEqualTo(Outcome.UNSIGNED);
    }

    @Test
    void commandSignedByAKeyTheMeterDoesNotTrust_isUnknownKey() {
        RelayCommand c = OTHER_KEY.signer().sign(METER, new RelayCommand("cmd-1", RelayState.OFF, TS), Duration.ofMinutes(5));
        Verification v = VERIFIER.verify(METER, c, NOW);
        assertThat(v.outcome()).isEqualTo(Outcome.UNKNOWN_KEY);
        assertThat(v.detail()).contains(OTHER_KEY.keyId());
    }

    @Test
    void wrongKeyUnderATrustedKeyId_isABadSignature() {
        RelayCommand byOther = OTHER_KEY.signer().sign(METER, new RelayCommand("cmd-1", RelayState.OFF, TS), Duration.ofMinutes(5));
        RelayCommand claimed = byOther.withSignature(byOther.expiresAt(), KEY.keyId(), byOther.sig());
        assertThat(VERIFIER.verify(METER, claimed, NOW).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
    }

    @Test
    void meterWithNoKeySet_refusesEvenAProperlySignedCommand() {
        Verification v = new CommandVerifier(CommandKeySet.EMPTY).verify(METER, signed(), NOW);
        assertThat(v.outcome()).isEqualTo(Outcome.UNKNOWN_KEY);
        assertThat(v.detail()).contains("no key set");
    }

    @Test
    void keyRotation_bothKeysVerify_whileBothAreInTheSet_andTheRetiredOneNoLongerAfter() {
        CommandKeySet both = CommandKeySet.of(KEY.publicKey(), OTHER_KEY.publicKey());
        RelayCommand byOld = signed();
        RelayCommand byNew = OTHER_KEY.signer().sign(METER, new RelayCommand("cmd-2", RelayState.ON, TS), Duration.ofMinutes(5));
        assertThat(new CommandVerifier(both).verify(METER, byOld, NOW).ok()).isTrue();
        assertThat(new CommandVerifier(both).verify(METER, byNew, NOW).ok()).isTrue();
        CommandVerifier retired = new CommandVerifier(both.without(KEY.keyId()));
        assertThat(retired.verify(METER, byOld, NOW).outcome()).isEqualTo(Outcome.UNKNOWN_KEY);
        assertThat(retired.verify(METER, byNew, NOW).ok()).isTrue();
    }

    @Test
    void atExpiresAt_isStillValid_andAMillisecondLaterExpired() {
        RelayCommand c = signed();
        assertThat(VERIFIER.verify(METER, c, c.expiresAt()).ok()).isTrue();
        Verification v = VERIFIER.verify(METER, c, c.expiresAt().plusMillis(1));
        assertThat(v.outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(v.detail()).contains("2026-11-29T17:05:00Z");
    }

    @Test
    void tsWithinTheSkewAhead_isValid_andBeyondItNotYetValid() {
        RelayCommand c = KEY.signer().sign(METER, new RelayCommand("cmd-1", RelayState.OFF, TS), Duration.ofHours(1));
        assertThat(VERIFIER.verify(METER, c, TS.minus(CommandVerifier.DEFAULT_SKEW)).ok()).isTrue();
        assertThat(VERIFIER.verify(METER, c, TS.minus(CommandVerifier.DEFAULT_SKEW).minusMillis(1)).outcome())
                .isEqualTo(Outcome.NOT_YET_VALID);
    }

    @Test
    void forgedTimes_areABadSignature_beforeTheyAreJudged() {
        RelayCommand c = signed();
        RelayCommand stretched = new RelayCommand(c.commandId(), c.relay(), c.ts(), c.expiresAt().plus(Duration.ofDays(365)), c.keyId(), c.sig());
        assertThat(VERIFIER.verify(METER, stretched, c.expiresAt().plusSeconds(60)).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
    }
}
