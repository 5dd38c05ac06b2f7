package dev.ims.portal.command;

import dev.ims.model.config.ConfigException;
import java.time.Duration;
import java.util.Map;

/**
 * Fleet operations on relays: how fast bulk commands are released, how many bulks one staff member may run at once, and how
 * long a request to switch off a "do not disconnect" meter waits for its second staff member.
 *
 * @param bulkPerSecond commands of bulk requests this portal releases per second, all bulks together
 *     ({@value #BULK_COMMANDS_PER_SECOND}, default {@value #DEFAULT_BULK_PER_SECOND}, 1 to 1000)
 * @param bulksPerUser bulks one staff member may have running at once ({@value #BULK_MAX_RUNNING_PER_USER}, default
 *     {@value #DEFAULT_BULKS_PER_USER}, 1 to 100); one more answers 429
 * @param approvalValidity how long an OFF for a flagged meter waits for approval before it expires
 *     ({@value #APPROVAL_VALIDITY_HOURS}, default 24 h, 1 to 168)
 * @param releaseTick how often the bulk releaser runs (each run releases up to {@code bulkPerSecond} per elapsed second);
 *     tests slow it down and call the releaser themselves
 */
public record CommandOptions(int bulkPerSecond, int bulksPerUser, Duration approvalValidity, Duration releaseTick) {

    public static final String BULK_COMMANDS_PER_SECOND = "BULK_COMMANDS_PER_SECOND";
    public static final String BULK_MAX_RUNNING_PER_USER = "BULK_MAX_RUNNING_PER_USER";
    public static final String APPROVAL_VALIDITY_HOURS = "APPROVAL_VALIDITY_HOURS";
    public static final int DEFAULT_BULK_PER_SECOND = 20;
    public static final int DEFAULT_BULKS_PER_USER = 2;
    public static final Duration DEFAULT_APPROVAL_VALIDITY = Duration.ofHours(24);
    public static final Duration DEFAULT_RELEASE_TICK = Duration.ofSeconds(1);
    /** The most meters one bulk request may name. */
    public static final int MAX_BULK_METERS = 1000;

    public static final CommandOptions DEFAULTS = new CommandOptions(DEFAULT_BULK_PER_SECOND, DEFAULT_BULKS_PER_USER,
            DEFAULT_APPROVAL_VALIDITY, DEFAULT_RELEASE_TICK);

    public CommandOptions {
        if (bulkPerSecond < 1 || bulksPerUser < 1 || approvalValidity.isNegative() || approvalValidity.isZero()
                || releaseTick.isNegative() || releaseTick.isZero()) {
            throw new IllegalArgumentException("bulk rate, bulks per user, approval validity and release tick must be positive");
        }
    }

    public static CommandOptions load(Map<String, String> env) {
        return new CommandOptions(whole(env, BULK_COMMANDS_PER_SECOND, DEFAULT_BULK_PER_SECOND, 1, 1000),
                whole(env, BULK_MAX_RUNNING_PER_USER, DEFAULT_BULKS_PER_USER, 1, 100),
                Duration.ofHours(whole(env, APPROVAL_VALIDITY_HOURS, (int) DEFAULT_APPROVAL_VALIDITY.toHours(), 1, 168)), DEFAULT_RELEASE_TICK);
    }

    public CommandOptions withBulkPerSecond(int perSecond) {
        return new CommandOptions(perSecond, bulksPerUser, approvalValidity, releaseTick);
    }

    public CommandOptions withReleaseTick(Duration tick) {
        return new CommandOptions(bulkPerSecond, bulksPerUser, approvalValidity, tick);
    }

    public CommandOptions withApprovalValidity(Duration validity) {
        return new CommandOptions(bulkPerSecond, bulksPerUser, validity, releaseTick);
    }

    private static int whole(Map<String, String> env, String name, int byDefault, int min, int max) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return byDefault;
        }
        try {
            int n = Integer.parseInt(raw.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(name + " must be a whole number from " + min + " to " + max + ", got '" + raw + "'");
    }
}
