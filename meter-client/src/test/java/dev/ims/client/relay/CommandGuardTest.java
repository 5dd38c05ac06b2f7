package dev.ims.client.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.CommandVerifier;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.reading.RelayState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules a meter applies to a relay command, each with its negative neighbour; the journal on a temporary folder. */
class CommandGuardTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private static final RelayRules RULES = new RelayRules(Duration.ofMinutes(5), Duration.ofSeconds(60), 1_000);
    private static final String METER = "IMS-GUARDED-1";
    private static final CommandSigningKey KEY = CommandSigningKey.generate();
    private static final CommandSigner SIGNER = KEY.signer();
    private static final CommandVerifier TRUSTING = new CommandVerifier(CommandKeySet.of(KEY.publicKey()));

    @TempDir
    Path dir;

    CommandGuard guard;

    @BeforeEach
    void open() {
        guard = reopen(RULES);
    }

    @AfterEach
    void close() {
        guard.close();
    }

    private CommandGuard reopen(RelayRules rules) {
        if (guard != null) {
            guard.close();
        }
        guard = CommandGuard.forStateFile(dir.resolve("meter.json"), METER, TRUSTING, rules);
        return guard;
    }

    /**
     * The guard's decision on the command signed properly for this meter, valid for a day: so that the rules
     * after the signature decide (the signature's own refusals are tested below).
     */
    private CommandGuard.Decision check(RelayCommand unsigned, RelayState relay, Instant now) {
        return guard.check(SIGNER.sign(METER, unsigned, Duration.ofDays(1)), relay, now);
    }

    private static RelayCommand off(String id, Instant ts) {
        return new RelayCommand(id, RelayState.OFF, ts);
    }

    private static String outcome(CommandGuard.Decision d) {
        return d instanceof CommandGuard.Refused r ? r.reason().name() : d.getClass().getSimpleName();
    }

    @ParameterizedTest(name = "ts {0} s from the meter''s clock, signed for a day: {1}")
    @CsvSource({
            "0, Switch",
            "-300, Switch",
            "-301, Switch",
            "-86400, Switch",
            "-86401, EXPIRED",
            "300, Switch",
            "301, FUTURE",
            "86400, FUTURE"})
    void signedCommand_isAcceptedFromTsMinusTheSkewUntilItsExpiresAt_andRefusedOutsideIt(long offsetSeconds, String expected) {
        assertThat(outcome(check(off("c", NOW.plusSeconds(offsetSeconds)), RelayState.ON, NOW))).isEqualTo(expected);
    }

    @Test
    void queuedCommand_withATsHoursOld_isAcceptedWhileItsExpiresAtIsAhead() {
        RelayCommand c = SIGNER.sign(METER, off("queued", NOW.minus(Duration.ofHours(20))), Duration.ofHours(24));
        assertThat(outcome(guard.check(c, RelayState.ON, NOW))).isEqualTo("Switch");
        assertThat(outcome(guard.check(c, RelayState.ON, NOW.plus(Duration.ofHours(4)).plusSeconds(1)))).isEqualTo("EXPIRED");
    }

    @ParameterizedTest(name = "signed valid for {0}: {1}")
    @CsvSource({
            "PT5M, Switch",
            "P7D, Switch",
            "PT168H0.001S, EXPIRED",
            "P30D, EXPIRED",
            "P3650D, EXPIRED"})
    void signedCommand_validForLongerThanSevenDays_isRefusedAsExpired_evenWhenItsTsIsNow(String validFor, String expected) {
        RelayCommand c = SIGNER.sign(METER, off("long", NOW), Duration.parse(validFor));
        CommandGuard.Decision d = guard.check(c, RelayState.ON, NOW);
        assertThat(outcome(d)).isEqualTo(expected);
        if (d instanceof CommandGuard.Refused r) {
            assertThat(r.error()).startsWith("expired: ").contains("PT168H");
        }
    }

    @Test
    void queuedCommand_carriedOut_isRefusedAsDuplicate_untilItsExpiresAt_evenAfterACompactionAndARestart() {
        reopen(new RelayRules(Duration.ofMinutes(5), Duration.ZERO, 3));
        RelayCommand queued = SIGNER.sign(METER, off("queued", NOW.minus(Duration.ofHours(2))), Duration.ofHours(24));
        assertThat(outcome(guard.check(queued, RelayState.OFF, NOW))).isEqualTo("AlreadyThere");
        guard.executed(queued, false, NOW);
        // Commands an hour later grow the file to twice the capacity: the compaction keeps what has not expired.
        Instant later = NOW.plus(Duration.ofHours(1));
        RelayCommand a = SIGNER.sign(METER, off("a", later), Duration.ofMinutes(5));
        RelayCommand b = SIGNER.sign(METER, off("b", later), Duration.ofMinutes(5));
        for (RelayCommand c : java.util.List.of(a, b, a, b, a)) {
            guard.executed(c, c == a, later);
        }
        assertThat(CommandJournal.besides(dir.resolve("meter.json"))).as("compacted").satisfies(f -> assertThat(Files.readAllLines(f)).hasSizeLessThan(6));
        reopen(new RelayRules(Duration.ofMinutes(5), Duration.ZERO, 3));
        assertThat(outcome(guard.check(queued, RelayState.ON, NOW.plus(Duration.ofHours(20))))).isEqualTo("DUPLICATE");
        assertThat(outcome(guard.check(queued, RelayState.ON, NOW.plus(Duration.ofHours(22)).plusSeconds(1)))).as("past expiresAt")
                .isEqualTo("EXPIRED");
    }

    @Test
    void refusal_saysWhyInTheError_withItsCodeFirst() {
        CommandGuard.Decision d = check(off("c", NOW.plus(Duration.ofHours(1))), RelayState.ON, NOW);
        assertThat(((CommandGuard.Refused) d).error()).startsWith("future: ").contains("2026-11-29T13:00:00Z").contains("PT5M");
    }

    @Test
    void commandId_carriedOutBefore_isRefused_evenAfterARestart_whileAnotherIdIsNot() {
        guard.executed(off("once", NOW), true, NOW);
        assertThat(outcome(check(new RelayCommand("once", RelayState.ON, NOW), RelayState.OFF, NOW.plusSeconds(120)))).isEqualTo("DUPLICATE");
        reopen(RULES);
        assertThat(outcome(check(new RelayCommand("once", RelayState.ON, NOW), RelayState.OFF, NOW.plusSeconds(120)))).isEqualTo("DUPLICATE");
        assertThat(outcome(check(new RelayCommand("other", RelayState.ON, NOW), RelayState.OFF, NOW.plusSeconds(120)))).isEqualTo("Switch");
    }

    @Test
    void commandForTheStateTheRelayIsIn_isNoSwitch_andStartsNoInterval() {
        assertThat(outcome(check(off("same", NOW), RelayState.OFF, NOW))).isEqualTo("AlreadyThere");
        guard.executed(off("same", NOW), false, NOW);
        assertThat(outcome(check(new RelayCommand("on", RelayState.ON, NOW), RelayState.OFF, NOW.plusSeconds(1)))).isEqualTo("Switch");
        // ... but its ID is spent like any other.
        assertThat(outcome(check(off("same", NOW), RelayState.OFF, NOW.plusSeconds(1)))).isEqualTo("DUPLICATE");
    }

    @ParameterizedTest(name = "{0} s after the last switch: {1}")
    @CsvSource({
            "1, TOO_SOON",
            "59, TOO_SOON",
            "60, Switch",
            "3600, Switch",
            "-10, TOO_SOON"})
    void secondSwitch_withinTheMinimumInterval_isRefused_evenAfterARestart(long secondsAfter, String expected) {
        guard.executed(off("first", NOW), true, NOW);
        Instant later = NOW.plusSeconds(secondsAfter);
        RelayCommand on = new RelayCommand("second", RelayState.ON, later);
        assertThat(outcome(check(on, RelayState.OFF, later))).isEqualTo(expected);
        reopen(RULES);
        assertThat(outcome(check(on, RelayState.OFF, later))).isEqualTo(expected);
    }

    @Test
    void zeroMinimumInterval_letsTheRelaySwitchAgainAtOnce() {
        reopen(new RelayRules(Duration.ofMinutes(5), Duration.ZERO, 1_000));
        guard.executed(off("first", NOW), true, NOW);
        assertThat(outcome(check(new RelayCommand("second", RelayState.ON, NOW), RelayState.OFF, NOW))).isEqualTo("Switch");
    }

    @Test
    void journal_remembersTheNewestIds_compactsItsFile_andKeepsTheLastSwitch() throws Exception {
        reopen(new RelayRules(Duration.ofMinutes(5), Duration.ofSeconds(60), 3));
        guard.executed(off("switch", NOW), true, NOW);
        for (int i = 0; i < 10; i++) {
            guard.executed(off("noop-" + i, NOW), false, NOW.plusSeconds(i));
        }
        Path file = CommandJournal.besides(dir.resolve("meter.json"));
        assertThat(Files.readAllLines(file).size()).isLessThan(6);
        reopen(new RelayRules(Duration.ofMinutes(5), Duration.ofSeconds(60), 3));
        assertThat(outcome(check(off("noop-9", NOW), RelayState.ON, NOW.plusSeconds(20)))).isEqualTo("DUPLICATE");
        assertThat(outcome(check(off("noop-0", NOW), RelayState.ON, NOW.plusSeconds(20)))).as("beyond the bound").isNotEqualTo("DUPLICATE");
        assertThat(outcome(check(off("new", NOW), RelayState.ON, NOW.plusSeconds(20)))).as("the last switch survives compaction")
                .isEqualTo("TOO_SOON");
    }

    @Test
    void journal_withALineCutShortByACrash_keepsTheCompleteLines() throws Exception {
        guard.executed(off("kept", NOW), true, NOW);
        guard.close();
        Path file = CommandJournal.besides(dir.resolve("meter.json"));
        Files.writeString(file, "{\"commandId\":\"torn", java.nio.file.StandardOpenOption.APPEND);
        guard = CommandGuard.forStateFile(dir.resolve("meter.json"), METER, TRUSTING, RULES);
        assertThat(outcome(check(off("kept", NOW), RelayState.ON, NOW.plusSeconds(120)))).isEqualTo("DUPLICATE");
        guard.executed(off("after", NOW), true, NOW.plusSeconds(120));
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    @Test
    void signedCommand_forThisMeter_isSwitched_whileTheSameUnsigned_isRefusedAsUnsigned() {
        assertThat(outcome(check(off("c", NOW), RelayState.ON, NOW))).isEqualTo("Switch");
        CommandGuard.Decision d = guard.check(off("c", NOW), RelayState.ON, NOW);
        assertThat(((CommandGuard.Refused) d).error()).startsWith("unsigned: ");
    }

    @Test
    void commandSignedByAnUntrustedKey_isRefusedAsUnknownKey() {
        RelayCommand c = CommandSigningKey.generate().signer().sign(METER, off("c", NOW), Duration.ofMinutes(5));
        assertThat(((CommandGuard.Refused) guard.check(c, RelayState.ON, NOW)).error()).startsWith("unknown-key: ");
    }

    @Test
    void commandSignedForAnotherMeter_isRefusedAsBadSignature() {
        RelayCommand c = SIGNER.sign("IMS-SOMEONE-ELSE", off("c", NOW), Duration.ofMinutes(5));
        assertThat(((CommandGuard.Refused) guard.check(c, RelayState.ON, NOW)).error()).startsWith("bad-signature: ");
    }

    @Test
    void signedCommand_pastItsExpiresAt_isRefusedAsExpired_thoughItsTsIsInTheWindow() {
        RelayCommand c = SIGNER.sign(METER, off("c", NOW), NOW.plusSeconds(30));
        assertThat(outcome(guard.check(c, RelayState.ON, NOW.plusSeconds(30)))).isEqualTo("Switch");
        assertThat(((CommandGuard.Refused) guard.check(c, RelayState.ON, NOW.plusSeconds(31))).error()).startsWith("expired: ");
    }

    @Test
    void meterThatTrustsNoKey_refusesAProperlySignedCommand() {
        guard.close();
        guard = CommandGuard.forStateFile(dir.resolve("meter.json"), METER, new CommandVerifier(CommandKeySet.EMPTY), RULES);
        RelayCommand c = SIGNER.sign(METER, off("c", NOW), Duration.ofMinutes(5));
        assertThat(((CommandGuard.Refused) guard.check(c, RelayState.ON, NOW)).error()).startsWith("unknown-key: ").contains("no key set");
    }

    @Test
    void forgedCommand_reusingACarriedOutId_isABadSignature_notADuplicate() {
        RelayCommand c = SIGNER.sign(METER, off("once", NOW), Duration.ofMinutes(5));
        guard.executed(c, true, NOW);
        RelayCommand forged = new RelayCommand("once", RelayState.ON, NOW, c.expiresAt(), c.keyId(), c.sig());
        assertThat(outcome(guard.check(forged, RelayState.OFF, NOW.plusSeconds(120)))).isEqualTo("BAD_SIGNATURE");
        assertThat(outcome(guard.check(c, RelayState.ON, NOW.plusSeconds(120)))).isEqualTo("DUPLICATE");
    }
}
