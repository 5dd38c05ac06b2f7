package dev.ims.client.relay;

import dev.ims.model.command.CommandVerifier;
import dev.ims.model.command.MeterCommand;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.command.Verification;
import dev.ims.model.reading.RelayState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether a meter carries out a relay command, by these rules in this order:
 * <ol>
 *   <li>it is signed, for THIS meter's ID, by a key in the meter's key set, and not past its
 *       {@code expiresAt} ({@link Refusal#UNSIGNED}, {@link Refusal#UNKNOWN_KEY}, {@link Refusal#BAD_SIGNATURE},
 *       {@link Refusal#EXPIRED}, {@link Refusal#FUTURE}; see {@link CommandVerifier}): only the portal's
 *       commands are carried out, not those of anyone who can publish on the broker. A meter with an empty
 *       key set refuses every command (fail closed);
 *   <li>its {@code expiresAt} lies at most {@link RelayRules#MAX_SIGNED_VALIDITY} after its {@code ts}
 *       ({@link Refusal#EXPIRED}): a signature that leaked cannot be used forever; and its {@code ts} lies at
 *       most {@link RelayRules#validity()} ahead of the meter's clock ({@link Refusal#FUTURE}). A command's
 *       {@code ts} may lie far in the past: a command queued by the portal while the meter was offline is
 *       valid until its signed {@code expiresAt};
 *   <li>its ID has not been carried out before ({@link Refusal#DUPLICATE}), across restarts;
 *   <li>a command for the state the relay is already in is acknowledged as done without switching, and
 *       does not count as a switch for the interval;
 *   <li>the last switch lies at least {@link RelayRules#minSwitchInterval()} back ({@link Refusal#TOO_SOON}),
 *       across restarts; a meter clock that went backwards before the last switch counts as too soon.
 * </ol>
 * Circuit and schedule commands pass the first three rules ({@link #admit}); the circuit's own rules (critical, relay,
 * its own minimum switch interval) are the meter connection's, with the circuits' schedule runner.
 * The caller carries a command out, then {@link #executed records} it, then acknowledges it. Not
 * thread-safe: one meter's commands are handled one at a time.
 */
public final class CommandGuard implements AutoCloseable {

    /** What to do with a command. */
    public sealed interface Decision {}

    /** Switch the relay. */
    public record Switch() implements Decision {}

    /** The relay is in the commanded state already: acknowledge, no switch. */
    public record AlreadyThere() implements Decision {}

    /** Refuse, with an {@code ok:false} acknowledgement whose error is {@link #error()}. */
    public record Refused(Refusal reason, String detail) implements Decision {
        public String error() {
            return reason.code() + ": " + detail;
        }
    }

    private final String meterId;
    private final CommandVerifier verifier;
    private final RelayRules rules;
    private final CommandJournal journal;
    private final java.nio.file.Path stateFile;

    /**
     * @param meterId the meter's own ID: a signature must cover it
     * @param verifier the keys the meter trusts (see {@link CommandTrust#load})
     */
    public CommandGuard(String meterId, CommandVerifier verifier, RelayRules rules, CommandJournal journal) {
        this(meterId, verifier, rules, journal, null);
    }

    private CommandGuard(String meterId, CommandVerifier verifier, RelayRules rules, CommandJournal journal, java.nio.file.Path stateFile) {
        this.stateFile = stateFile;
        this.meterId = meterId;
        this.verifier = verifier;
        this.rules = rules;
        this.journal = journal;
    }

    /** The guard of the meter {@code meterId} whose state is in {@code stateFile}, with its journal beside it. */
    public static CommandGuard forStateFile(java.nio.file.Path stateFile, String meterId, CommandVerifier verifier, RelayRules rules) {
        return new CommandGuard(meterId, verifier, rules, CommandJournal.open(CommandJournal.besides(stateFile), rules.journalSize()), stateFile);
    }

    /** The meter's state file, beside which its journal (and its circuits' schedules) are kept; null when not known. */
    public java.nio.file.Path stateFile() {
        return stateFile;
    }

    public RelayRules rules() {
        return rules;
    }

    /** @param relay the relay's state as the meter knows it now */
    public Decision check(RelayCommand command, RelayState relay, Instant now) {
        Optional<Refused> refused = admit(command, now);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (command.relay() == relay) {
            return new AlreadyThere();
        }
        Optional<CommandJournal.Entry> last = journal.lastSwitch();
        Duration min = rules.minSwitchInterval();
        if (last.isPresent() && !min.isZero()) {
            Instant allowed = last.get().at().plus(min);
            if (now.isBefore(allowed)) {
                return new Refused(Refusal.TOO_SOON, "the relay last switched at " + last.get().at() + "; at most one switch every " + min
                        + ", next possible at " + allowed);
            }
        }
        return new Switch();
    }

    /**
     * The rules every command passes, whatever it switches: signed for this meter by a trusted key and valid, not
     * signed for longer than allowed, not from the future, not carried out before.
     *
     * @return the refusal, or empty when the command may go on to its own rules
     */
    public Optional<Refused> admit(MeterCommand command, Instant now) {
        Verification verified = verifier.verify(meterId, command, now);
        if (!verified.ok()) {
            return Optional.of(new Refused(refusal(verified.outcome()), verified.detail()));
        }
        Duration validity = rules.validity();
        Duration signedFor = Duration.between(command.ts(), command.expiresAt());
        if (signedFor.compareTo(RelayRules.MAX_SIGNED_VALIDITY) > 0) {
            return Optional.of(new Refused(Refusal.EXPIRED, "signed valid for " + signedFor + " from " + command.ts() + ", longer than the "
                    + RelayRules.MAX_SIGNED_VALIDITY + " a meter accepts"));
        }
        if (command.ts().isAfter(now.plus(validity))) {
            return Optional.of(new Refused(Refusal.FUTURE, "sent at " + command.ts() + ", more than " + validity + " after the meter's clock ("
                    + now + ")"));
        }
        Optional<CommandJournal.Entry> before = journal.find(command.commandId());
        if (before.isPresent()) {
            return Optional.of(new Refused(Refusal.DUPLICATE, "command " + command.commandId() + " was carried out already, at "
                    + before.get().at()));
        }
        return Optional.empty();
    }

    private static Refusal refusal(Verification.Outcome outcome) {
        return switch (outcome) {
            case UNSIGNED -> Refusal.UNSIGNED;
            case UNKNOWN_KEY -> Refusal.UNKNOWN_KEY;
            case BAD_SIGNATURE -> Refusal.BAD_SIGNATURE;
            case EXPIRED -> Refusal.EXPIRED;
            case NOT_YET_VALID -> Refusal.FUTURE;
            case VALID -> throw new IllegalArgumentException("a valid command is not refused");
        };
    }

    /**
     * Records a command as carried out (on disk when this returns).
     *
     * @param switched whether the relay changed; only then (and only for the supply relay) does it start a new minimum
     *     interval: a circuit's own interval is kept by its schedule runner
     * @throws java.io.UncheckedIOException when the journal cannot be written
     */
    public void executed(MeterCommand command, boolean switched, Instant now) {
        // Remembered at least while a replay could still pass the other rules: until expiresAt (a queued command:
        // up to days), and no shorter than the window on ts.
        Instant keepUntil = command.ts().plus(rules.validity());
        if (command.expiresAt() != null && command.expiresAt().isAfter(keepUntil)) {
            keepUntil = command.expiresAt();
        }
        journal.record(new CommandJournal.Entry(command.commandId(), command.ts(), now, switched, keepUntil, command.circuit()), now);
    }

    @Override
    public void close() {
        journal.close();
    }
}
