package dev.ims.model.reading;

import java.time.Duration;
import java.time.Instant;

/**
 * Bounds that separate a plausible reading from garbage.
 *
 * @param maxPayloadBytes largest accepted payload; larger ones are rejected unread
 * @param maxClockSkew how far in the future a timestamp may lie (meters' clocks drift)
 * @param earliest the oldest accepted timestamp
 * @param maxEnergyKwh largest accepted register value
 * @param maxAbsPowerW largest accepted absolute power
 * @param maxVoltageV largest accepted voltage
 * @param maxAbsCurrentA largest accepted absolute current
 */
public record ReadingLimits(
        int maxPayloadBytes,
        Duration maxClockSkew,
        Instant earliest,
        double maxEnergyKwh,
        double maxAbsPowerW,
        double maxVoltageV,
        double maxAbsCurrentA) {

    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024;
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofHours(1);
    public static final Instant DEFAULT_EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    public static final double DEFAULT_MAX_ENERGY_KWH = 1e9;
    public static final double DEFAULT_MAX_ABS_POWER_W = 1e7;
    public static final double DEFAULT_MAX_VOLTAGE_V = 1000;
    public static final double DEFAULT_MAX_ABS_CURRENT_A = 10_000;

    public static final ReadingLimits DEFAULTS = new ReadingLimits(
            DEFAULT_MAX_PAYLOAD_BYTES,
            DEFAULT_MAX_CLOCK_SKEW,
            DEFAULT_EARLIEST,
            DEFAULT_MAX_ENERGY_KWH,
            DEFAULT_MAX_ABS_POWER_W,
            DEFAULT_MAX_VOLTAGE_V,
            DEFAULT_MAX_ABS_CURRENT_A);

    /**
     * Checks a timestamp a device sent against the window every message shares (readings, status
     * messages, command acknowledgements): not before {@link #earliest()}, not further ahead of
     * {@code now} than {@link #maxClockSkew()}. Everything inside the window is representable as a
     * database date, so a timestamp can never fail later, in a write.
     *
     * @throws InvalidPayloadException {@link RejectReason#TIMESTAMP_IN_FUTURE} or {@link RejectReason#TIMESTAMP_TOO_OLD}
     */
    public Instant checkTimestamp(String field, Instant ts, Instant now) {
        if (ts.isAfter(now.plus(maxClockSkew))) {
            throw new InvalidPayloadException(
                    RejectReason.TIMESTAMP_IN_FUTURE, field + " " + ts + " is ahead of the server's clock " + now);
        }
        if (ts.isBefore(earliest)) {
            throw new InvalidPayloadException(RejectReason.TIMESTAMP_TOO_OLD, field + " " + ts + " is before " + earliest);
        }
        return ts;
    }
}
