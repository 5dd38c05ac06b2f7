package dev.ims.agent.relay;

import static org.assertj.core.api.Assertions.assertThat;

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
        guard = CommandGuard.forStateFile(dir.resolve("meter.json"), rules);
        return guard;
    }

    private static RelayCommand off(String id, Instant ts) {
        return new RelayCommand(id, RelayState.OFF, ts);
    }

    private static String outcome(CommandGuard.Decision d) {
        return d instanceof CommandGuard.Refused r ? r.reason().name() : d.getClass().getSimpleName();
    }

    @ParameterizedTest(name = "ts {0} s from the meter''s clock: {1}")
    @CsvSource({
            "0, Switch",
            "-300, Switch",
            "-301, EXPIRED",
            "-86400, EXPIRED",
            "300, Switch",
            "301, FUTURE",
            "86400, FUTURE"})
    void command_isAcceptedWithinTheValidityWindow_inThePastAndTheFuture_andRefusedBeyondIt(long offsetSeconds, String expected) {
        assertThat(outcome(guard.check(off("c", NOW.plusSeconds(offsetSeconds)), RelayState.ON, NOW))).isEqualTo(expected);
    }

    @Test
    void refusal_saysWhyInTheError_withItsCodeFirst() {
        CommandGuard.Decision d = guard.check(off("c", NOW.plus(Duration.ofHours(1))), RelayState.ON, NOW);
        assertThat(((CommandGuard.Refused) d).error()).startsWith("future: ").contains("2026-11-29T13:00:00Z").contains("PT5M");
    }

    @Test
    void commandId_carriedOutBefore_isRefused_evenAfterARestart_whileAnotherIdIsNot() {
        guard.executed(off("once", NOW), true, NOW);
        assertThat(outcome(guard.check(new RelayCommand("once", RelayState.ON, NOW), RelayState.OFF, NOW.plusSeconds(120)))).isEqualTo("DUPLICATE");
        reopen(RULES);
        assertThat(outcome(guard.check(new RelayCommand("once", RelayState.ON, NOW), RelayState.OFF, NOW.plusSeconds(120)))).isEqualTo("DUPLICATE");
        assertThat(outcome(guard.check(new RelayCommand("other", RelayState.ON, NOW), RelayState.OFF, NOW.plusSeconds(120)))).isEqualTo("Switch");
    }

    @Test
    void commandForTheStateTheRelayIsIn_isNoSwitch_andStartsNoInterval() {
        assertThat(outcome(guard.check(off("same", NOW), RelayState.OFF, NOW))).isEqualTo("AlreadyThere");
        guard.executed(off("same", NOW), false, NOW);
        assertThat(outcome(guard.check(new RelayCommand("on", RelayState.ON, NOW), RelayState.OFF, NOW.plusSeconds(1)))).isEqualTo("Switch");
        // ... but its ID is spent like any other.
        assertThat(outcome(guard.check(off("same", NOW), RelayState.OFF, NOW.plusSeconds(1)))).isEqualTo("DUPLICATE");
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
        assertThat(outcome(guard.check(on, RelayState.OFF, later))).isEqualTo(expected);
        reopen(RULES);
        assertThat(outcome(guard.check(on, RelayState.OFF, later))).isEqualTo(expected);
    }

    @Test
    void zeroMinimumInterval_letsTheRelaySwitchAgainAtOnce() {
        reopen(new RelayRules(Duration.ofMinutes(5), Duration.ZERO, 1_000));
        guard.executed(off("first", NOW), true, NOW);
        assertThat(outcome(guard.check(new RelayCommand("second", RelayState.ON, NOW), RelayState.OFF, NOW))).isEqualTo("Switch");
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
        assertThat(outcome(guard.check(off("noop-9", NOW), RelayState.ON, NOW.plusSeconds(20)))).isEqualTo("DUPLICATE");
        assertThat(outcome(guard.check(off("noop-0", NOW), RelayState.ON, NOW.plusSeconds(20)))).as("beyond the bound").isNotEqualTo("DUPLICATE");
        assertThat(outcome(guard.check(off("new", NOW), RelayState.ON, NOW.plusSeconds(20)))).as("the last switch survives compaction")
                .isEqualTo("TOO_SOON");
    }

    @Test
    void journal_withALineCutShortByACrash_keepsTheCompleteLines() throws Exception {
        guard.executed(off("kept", NOW), true, NOW);
        guard.close();
        Path file = CommandJournal.besides(dir.resolve("meter.json"));
        Files.writeString(file, "{\"commandId\":\"torn", java.nio.file.StandardOpenOption.APPEND);
        guard = CommandGuard.forStateFile(dir.resolve("meter.json"), RULES);
        assertThat(outcome(guard.check(off("kept", NOW), RelayState.ON, NOW.plusSeconds(120)))).isEqualTo("DUPLICATE");
        guard.executed(off("after", NOW), true, NOW.plusSeconds(120));
        assertThat(Files.readAllLines(file)).hasSize(2);
    }
}
