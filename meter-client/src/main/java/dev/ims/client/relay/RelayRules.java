package dev.ims.client.relay;

import java.time.Duration;

/**
 * What a meter accepts as a relay command.
 *
 * @param validity a command whose {@code ts} lies further than this ahead of the meter's clock is refused
 *     (inclusive: exactly this far is still accepted); a signed command is valid from its {@code ts} minus this
 *     until its {@code expiresAt}, which may lie at most {@link #MAX_SIGNED_VALIDITY} after its {@code ts}
 * @param minSwitchInterval the least time between two switches of the relay, protecting the contactor;
 *     zero turns the rule off (tests). A command for the state the relay is already in is not a switch.
 * @param journalSize how many executed command IDs the meter remembers at most (see {@link CommandJournal})
 */
public record RelayRules(Duration validity, Duration minSwitchInterval, int journalSize) {

    public static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MIN_SWITCH_INTERVAL = Duration.ofSeconds(60);
    public static final int DEFAULT_JOURNAL_SIZE = 1_000;
    /**
     * The longest a signed command may be valid ({@code expiresAt - ts}); a longer one is refused as expired.
     * The portal queues commands for offline meters for at most 168 h (7 days); a bound here means a signature
     * that leaked, or was stored somewhere, cannot be used forever.
     */
    public static final Duration MAX_SIGNED_VALIDITY = Duration.ofDays(7);
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
