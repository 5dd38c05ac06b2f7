package dev.ims.portal.tariff;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Units consumed in one local clock hour: what {@link Pricing} prices. It lives here, with its consumer, so that usage
 * depends on tariff and never the other way round.
 *
 * @param start the hour's first instant
 * @param day the local day the hour belongs to
 * @param hour the local wall-clock hour 0..23 (on a fall-back day two entries share the repeated hour)
 * @param kwh units in the hour: its last register minus the last register of the hour with data before
 *     it (so consumption across a data gap lands in the first hour after the gap), never negative
 * @param exportKwh units exported in the hour, from the export register by the same rule; null when the hour
 *     has no export register (a meter that does not export)
 */
public record HourUsage(Instant start, LocalDate day, int hour, double kwh, Double exportKwh) {

    /** An hour without export. */
    public HourUsage(Instant start, LocalDate day, int hour, double kwh) {
        this(start, day, hour, kwh, null);
    }

    public HourUsage {
        if (hour < 0 || hour > 23) {
            throw new IllegalArgumentException("hour must be 0..23, got " + hour);
        }
        if (!(kwh >= 0) || Double.isInfinite(kwh)) {
            throw new IllegalArgumentException("kwh must be a non-negative number, got " + kwh);
        }
        if (exportKwh != null && (!(exportKwh >= 0) || exportKwh.isInfinite())) {
            throw new IllegalArgumentException("exportKwh must be a non-negative number or null, got " + exportKwh);
        }
    }

    /** The exported units, 0 for an hour without export. */
    public double exported() {
        return exportKwh == null ? 0 : exportKwh;
    }

    public DayOfWeek dayOfWeek() {
        return day.getDayOfWeek();
    }
}
