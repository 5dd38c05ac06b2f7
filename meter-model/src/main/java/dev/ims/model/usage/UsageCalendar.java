package dev.ims.model.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/** The buckets of one time zone: which local day, month and hour an instant falls in. */
public record UsageCalendar(ZoneId zone) {

    public LocalDate dayOf(Instant ts) {
        return ts.atZone(zone).toLocalDate();
    }

    public YearMonth monthOf(LocalDate day) {
        return YearMonth.from(day);
    }

    /**
     * The start of the local clock hour holding {@code ts}. In a zone with a half-hour offset that is
     * not a whole UTC hour; in the repeated hour of a fall-back change the two hours stay apart.
     */
    public Instant hourStart(Instant ts) {
        ZonedDateTime z = ts.atZone(zone);
        return z.truncatedTo(ChronoUnit.HOURS).toInstant();
    }

    /** The start of the local quarter hour holding {@code ts} (:00, :15, :30, :45 on the local clock). */
    public Instant quarterStart(Instant ts) {
        ZonedDateTime z = ts.atZone(zone).truncatedTo(ChronoUnit.MINUTES);
        return z.withMinute(z.getMinute() / 15 * 15).toInstant();
    }

    /** First instant of the local day (not always 00:00 where a DST change happens at midnight). */
    public Instant dayStart(LocalDate day) {
        return day.atStartOfDay(zone).toInstant();
    }

    /** 24, or 23 / 25 on the days the clocks change. */
    public long hoursIn(LocalDate day) {
        return ChronoUnit.HOURS.between(dayStart(day), dayStart(day.plusDays(1)));
    }
}
