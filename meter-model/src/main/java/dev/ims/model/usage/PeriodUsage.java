package dev.ims.model.usage;

/**
 * Units consumed in one period (a day {@code 2026-11-24} or a month {@code 2026-11}).
 *
 * @param period the local day or month
 * @param kwh units imported in the period, rounded to Wh
 * @param fromKwh the register the period started from: the end-of-period register of the last earlier
 *     period with data, or the period's first reading when there is none
 * @param toKwh the register at the period's last reading
 * @param complete true when the period has ended and its start register came from the period right
 *     before it (no data gap that would move earlier consumption into it)
 * @param exportKwh units exported (fed into the grid) in the period, rounded to Wh, computed from the
 *     export register exactly as {@code kwh} is from the import register; null when no reading of the
 *     period carried an export register
 */
public record PeriodUsage(String period, double kwh, double fromKwh, double toKwh, boolean complete, Double exportKwh) {

    /** A period without export. */
    public PeriodUsage(String period, double kwh, double fromKwh, double toKwh, boolean complete) {
        this(period, kwh, fromKwh, toKwh, complete, null);
    }

    /** Import minus export (negative when more was exported), or null when the period has no export. */
    public Double netKwh() {
        return exportKwh == null ? null : UsageCalculator.roundKwh(kwh - exportKwh);
    }
}
