package dev.ims.agent.relay;

import java.time.Duration;

/**
 * What a meter accepts as a relay command.
 *
 * @param validity a command whose {@code ts} lies further than this from the meter's clock, in the past or
 *     in the future, is refused (inclusive: exactly this far is still accepted)
 * @param minSwitchInterval the least time between two switches of the relay, protecting the contactor;
 *     zero turns the rule off (tests). A command for the state the relay is already in is not a switch.
 * @param journalSize how many executed command IDs the meter remembers at most (see {@link CommandJournal})
 */
public record RelayRules(Duration validity, Duration minSwitchInterval, int journalSize) {

    public static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MIN_SWITCH_INTERVAL = Duration.ofSeconds(60);
    public static final int DEFAULT_JOURNAL_SIZE = 1_000;
    public static final RelayRules DEFAULTS = new RelayRules(DEFAULT_VALIDITY, DEFAULT_MIN_SWITCH_INTERVAL, DEFAULT_JOURNAL_SIZE);

    public RelayRules {
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, got " + validity);
        }
        if (minSwitchInterval == null || minSwitchInterval.isNegative()) {
            throw new IllegalArgumentException("minimum switch interval must not be negative, got " + minSwitchInterval);
        }
        if (journalSize < 1) {
            throw new IllegalArgumentException("journal size must be at least 1, got " + journalSize);
        }
    }

    /** The defaults with another minimum switch interval. */
    public static RelayRules withMinSwitchInterval(Duration minSwitchInterval) {
        return new RelayRules(DEFAULT_VALIDITY, minSwitchInterval, DEFAULT_JOURNAL_SIZE);
    }
}
