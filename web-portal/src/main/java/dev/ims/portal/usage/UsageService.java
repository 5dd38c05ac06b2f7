package dev.ims.portal.usage;

import dev.ims.portal.tariff.HourUsage;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.usage.DayRegister;
import dev.ims.model.usage.PeriodUsage;
import dev.ims.model.usage.UsageCalculator;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.store.UsageRepository;
import dev.ims.store.DaySummary;
import dev.ims.store.SpanSummary;
import dev.ims.portal.tariff.DayCost;
import dev.ims.portal.tariff.Pricing;
import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.tariff.Tariffs;
import java.math.BigDecimal;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * Usage per hour, day and month from the day documents' hours ({@link UsageRepository}), priced by the tariff book;
 * peak demand from their quarter hours. Days, months and hours are local to the configured zone, so a day has 23 or 25
 * hours when the clocks change. Units of a period are register differences: the period's last register
 * minus the last register before it, so units across a data gap land in the first period after it and
 * are never lost or counted twice. Costs are computed per day and a month's cost is the sum of its days'.
 *
 * <p>Export (the spans' {@code minExportKwh}/{@code maxExportKwh}, present only where a reading carried an export
 * register) follows the same rule on the export register, bridged from the last hour that had one. A period
 * without an export register has no export, so entries of meters that never export are as before.
 */
public final class UsageService {

    /**
     * One row of the usage API.
     *
     * @param cost what the period costs, VAT and standing charge included
     * @param energyCost net price of the units
     * @param standingCharge net standing charge
     * @param vat VAT on both
     * @param exportKwh units exported in the period; null (and left out of the JSON) when the meter did not export in it
     * @param netKwh {@code kwh - exportKwh}, negative when more was exported; null without export
     * @param credit what the export earned at the feed-in price in force on each day, net and untaxed, already
     *     taken off {@code cost} ({@code cost = energyCost + standingCharge + vat - credit}); null without export
     */
    public record Entry(String period, double kwh, double cost, String currency, double fromKwh, double toKwh, boolean complete,
            double energyCost, double standingCharge, double vat,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double exportKwh,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double netKwh,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double credit) {

        /** An entry without export. */
        public Entry(String period, double kwh, double cost, String currency, double fromKwh, double toKwh, boolean complete,
                double energyCost, double standingCharge, double vat) {
            this(period, kwh, cost, currency, fromKwh, toKwh, complete, energyCost, standingCharge, vat, null, null, null);
        }

        /** True when the meter exported (had an export register) in the period. */
        public boolean exports() {
            return exportKwh != null;
        }
    }

    /** Usage of one hour, for the day chart. */
    public record Hour(Instant start, int hour, double kwh) {}

    /**
     * The highest 15-minute average power of a month: what capacity tariffs bill.
     *
     * @param month e.g. 2026-11
     * @param kw the average power of that quarter hour in kW
     * @param start when the quarter hour began
     */
    public record Peak(String month, double kw, Instant start) {}

    private final UsageRepository repository;
    private final Tariffs tariffs;
    private final ZoneId zone;
    private final Clock clock;

    /** Reads every day from the store (no cache). */
    public UsageService(MongoDatabase db, Tariffs tariffs, ZoneId zone, Clock clock) {
        this(new UsageRepository(db, new UsageCalendar(zone)), tariffs, zone, clock);
    }

    /** @param repository the day documents, in {@code zone}'s calendar */
    public UsageService(UsageRepository repository, Tariffs tariffs, ZoneId zone, Clock clock) {
        this.repository = repository;
        this.tariffs = tariffs;
        this.zone = zone;
        this.clock = clock;
    }

    public LocalDate today() {
        return LocalDate.now(clock.withZone(zone));
    }

    /** The day documents this service reads (circuits read their hours from the same). */
    public UsageRepository repository() {
        return repository;
    }

    public ZoneId zone() {
        return zone;
    }

    public Tariffs tariffs() {
        return tariffs;
    }

    /**
     * What a figure kept for a meter (see {@link UsageRepository#derived}) was computed for.
     *
     * @param today the day figures are computed on (it decides which days are complete)
     * @param book the tariff book the figure is priced with; null when not priced
     */
    private record FigureKey(String kind, Object from, Object to, LocalDate today, TariffBook book) {}

    /** Days {@code from..to} priced, oldest first (an unmodifiable list, possibly shared with other callers). */
    public Future<List<Entry>> daily(String meterId, LocalDate from, LocalDate to) {
        return daily(repository.meter(meterId), from, to);
    }

    /** {@link #daily(String, LocalDate, LocalDate)} of a meter document just read (it is not read again). */
    public Future<List<Entry>> daily(Document meter, LocalDate from, LocalDate to) {
        return daily(repository.meter(meter), from, to);
    }

    private Future<List<Entry>> daily(UsageRepository.Meter meter, LocalDate from, LocalDate to) {
        LocalDate today = today();
        return tariffs.book().compose(book -> repository.derived(meter, new FigureKey("daily", from, to, today, book),
                (List<Entry> l) -> l.size() / 8 + 1, () -> priced(meter, from, to, book, today).map(p -> List.copyOf(p.days))));
    }

    /** Months from their days; a month's cost and parts are the sums of its days' (an unmodifiable list, possibly shared). */
    public Future<List<Entry>> monthly(String meterId, YearMonth from, YearMonth to) {
        return monthly(repository.meter(meterId), from, to);
    }

    /** {@link #monthly(String, YearMonth, YearMonth)} of a meter document just read (it is not read again). */
    public Future<List<Entry>> monthly(Document meter, YearMonth from, YearMonth to) {
        return monthly(repository.meter(meter), from, to);
    }

    private Future<List<Entry>> monthly(UsageRepository.Meter meter, YearMonth from, YearMonth to) {
        LocalDate today = today();
        return tariffs.book().compose(book -> repository.derived(meter, new FigureKey("monthly", from, to, today, book),
                (List<Entry> l) -> l.size() / 8 + 1, () -> monthly(meter, from, to, book, today)));
    }

    private Future<List<Entry>> monthly(UsageRepository.Meter meter, YearMonth from, YearMonth to, TariffBook book, LocalDate today) {
        return priced(meter, from.atDay(1), to.atEndOfMonth(), book, today).map(p -> {
            Map<String, BigDecimal[]> sums = new LinkedHashMap<>();
            List<PeriodUsage> days = new ArrayList<>();
            String currency = null;
            for (Entry d : p.days) {
                BigDecimal[] s = sums.computeIfAbsent(d.period().substring(0, 7),
                        k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, null});
                s[0] = s[0].add(BigDecimal.valueOf(d.cost()));
                s[1] = s[1].add(BigDecimal.valueOf(d.energyCost()));
                s[2] = s[2].add(BigDecimal.valueOf(d.standingCharge()));
                s[3] = s[3].add(BigDecimal.valueOf(d.vat()));
                if (d.credit() != null) {
                    s[4] = (s[4] == null ? BigDecimal.ZERO : s[4]).add(BigDecimal.valueOf(d.credit()));
                }
                days.add(new PeriodUsage(d.period(), d.kwh(), d.fromKwh(), d.toKwh(), d.complete(), d.exportKwh()));
                currency = d.currency();
            }
            List<Entry> out = new ArrayList<>();
            for (PeriodUsage m : UsageCalculator.monthly(days, today)) {
                BigDecimal[] s = sums.get(m.period());
                out.add(new Entry(m.period(), m.kwh(), s[0].doubleValue(), currency, m.fromKwh(), m.toKwh(), m.complete(),
                        s[1].doubleValue(), s[2].doubleValue(), s[3].doubleValue(), m.exportKwh(), m.netKwh(),
                        m.exportKwh() == null ? null : s[4] == null ? 0.0 : s[4].doubleValue()));
            }
            return List.copyOf(out);
        });
    }

    /** Hourly units of one local day (23, 24 or 25 entries at most; hours without readings are absent). */
    public Future<List<HourUsage>> hours(String meterId, LocalDate day) {
        return hours(repository.meter(meterId), day);
    }

    /** {@link #hours(String, LocalDate)} of a meter document just read (it is not read again). */
    public Future<List<HourUsage>> hours(Document meter, LocalDate day) {
        return hours(repository.meter(meter), day);
    }

    private Future<List<HourUsage>> hours(UsageRepository.Meter meter, LocalDate day) {
        return repository.derived(meter, new FigureKey("hours", day, day, null, null), (List<HourUsage> l) -> l.size() / 24 + 1,
                () -> hourDocs(meter, day, day).map(h -> toHours(h).stream().filter(u -> u.day().equals(day)).toList()));
    }

    /** Hourly units of the days {@code from..to}, for the advice engine (an unmodifiable list, possibly shared). */
    public Future<List<HourUsage>> hours(String meterId, LocalDate from, LocalDate to) {
        return hours(repository.meter(meterId), from, to);
    }

    /** {@link #hours(String, LocalDate, LocalDate)} of a meter document just read (it is not read again). */
    public Future<List<HourUsage>> hours(Document meter, LocalDate from, LocalDate to) {
        return hours(repository.meter(meter), from, to);
    }

    private Future<List<HourUsage>> hours(UsageRepository.Meter meter, LocalDate from, LocalDate to) {
        return repository.derived(meter, new FigureKey("hours", from, to, null, null), (List<HourUsage> l) -> l.size() / 24 + 1,
                () -> hourDocs(meter, from, to).map(h -> toHours(h).stream().filter(u -> !u.day().isBefore(from)).toList()));
    }

    /**
     * The peak of each month from {@code from} to {@code to}. A quarter's units are its last register minus
     * the one of the quarter right before it; a quarter after a data gap only counts its own readings, so a
     * gap never shows up as a false peak.
     */
    public Future<List<Peak>> peaks(String meterId, YearMonth from, YearMonth to) {
        return peaks(repository.meter(meterId), from, to);
    }

    /** {@link #peaks(String, YearMonth, YearMonth)} of a meter document just read (it is not read again). */
    public Future<List<Peak>> peaks(Document meter, YearMonth from, YearMonth to) {
        return peaks(repository.meter(meter), from, to);
    }

    private Future<List<Peak>> peaks(UsageRepository.Meter meter, YearMonth from, YearMonth to) {
        return repository.derived(meter, new FigureKey("peaks", from, to, null, null), (List<Peak> l) -> 1,
                () -> computePeaks(meter, from, to));
    }

    private Future<List<Peak>> computePeaks(UsageRepository.Meter meter, YearMonth from, YearMonth to) {
        Instant start = from.atDay(1).atStartOfDay(zone).toInstant();
        Instant end = to.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
        // The day before the range too: the quarter right before the first one gives it its start register.
        return repository.days(meter, from.atDay(1).minusDays(1), to.atEndOfMonth(), UsageRepository.Part.QUARTERS).map(days -> {
            Map<String, Peak> byMonth = new LinkedHashMap<>();
            Instant previousStart = null;
            double previousMax = 0;
            for (DaySummary day : days) {
                // A day document's quarters lie in its local day, so in its month.
                String month = YearMonth.from(day.day()).toString();
                for (SpanSummary q : day.quarters()) {
                    Instant s = q.start();
                    if (s.isBefore(start.minusSeconds(900)) || !s.isBefore(end)) {
                        continue;
                    }
                    boolean adjacent = previousStart != null && previousStart.plusSeconds(900).equals(s);
                    double kwh = Math.max(0, q.maxKwh() - (adjacent ? previousMax : q.minKwh()));
                    previousStart = s;
                    previousMax = q.maxKwh();
                    if (s.isBefore(start)) {
                        continue;
                    }
                    double kw = UsageCalculator.roundKwh(kwh * 4);
                    Peak p = byMonth.get(month);
                    if (p == null || kw > p.kw()) {
                        byMonth.put(month, new Peak(month, kw, s));
                    }
                }
            }
            return List.copyOf(byMonth.values());
        });
    }

    private record Priced(List<Entry> days) {}

    /** Days {@code from..to} priced; hours are read from the 1st of {@code from}'s month so tiers count right. */
    private Future<Priced> priced(UsageRepository.Meter meter, LocalDate from, LocalDate to, TariffBook book, LocalDate today) {
        LocalDate monthStart = from.withDayOfMonth(1);
        return hourDocs(meter, monthStart, to).map(h -> {
            List<HourUsage> hours = toHours(h);
            Map<LocalDate, DayCost> costs = new HashMap<>();
            for (DayCost c : Pricing.priceDays(book, hours)) {
                costs.put(c.day(), c);
            }
            List<DayRegister> registers = new ArrayList<>();
            if (h.beforeExport != null && (h.before == null || h.beforeExport.day().isBefore(h.before.day()))) {
                // The last export register lies on an earlier day than the last import one: a register of its own.
                double max = h.beforeExport.maxKwh();
                registers.add(new DayRegister(h.beforeExport.day(), max, max, h.beforeExport.maxExportKwh(), h.beforeExport.maxExportKwh()));
            }
            if (h.before != null) {
                double max = h.before.maxKwh();
                DaySummary exportDay = h.beforeExport != null && h.beforeExport.day().equals(h.before.day()) ? h.beforeExport : null;
                Double exp = exportDay == null ? null : exportDay.maxExportKwh();
                registers.add(new DayRegister(h.before.day(), max, max, exp, exp));
            }
            for (DaySummary d : h.inRange) {
                // A day document without hours (written before the hour summaries existed, not migrated yet) has no priced
                // hours: it counts as a day without data rather than one without a price.
                if (!d.hours().isEmpty()) {
                    registers.add(new DayRegister(d.day(), d.minKwh(), d.maxKwh(), d.minExportKwh(), d.maxExportKwh()));
                }
            }
            List<Entry> out = new ArrayList<>();
            for (PeriodUsage d : UsageCalculator.daily(registers, from, to, today)) {
                DayCost c = costs.get(LocalDate.parse(d.period()));
                out.add(new Entry(d.period(), d.kwh(), c.total(), c.currency(), d.fromKwh(), d.toKwh(), d.complete(),
                        c.energy(), c.standing(), c.vat(), d.exportKwh(), d.netKwh(), d.exportKwh() == null ? null : c.credit()));
            }
            return new Priced(out);
        });
    }

    /**
     * @param before the last day with data before the range (its highest register starts the range), or null
     * @param beforeExport the last day before the range with an export register (the export's start), or null; looked
     *     for only when a day of the range has an export register (no other day's figures depend on it)
     * @param inRange the days of the range with data, oldest first, with their hours
     */
    private record HourDocs(DaySummary before, DaySummary beforeExport, List<DaySummary> inRange) {}

    /**
     * The day documents of local days {@code from..to} with their hours, the last day before them (the start register)
     * and the last day before them with an export register (the export's start); the look-backs only when the range
     * has data.
     */
    private Future<HourDocs> hourDocs(UsageRepository.Meter meter, LocalDate from, LocalDate to) {
        return repository.days(meter, from, to, UsageRepository.Part.HOURS).compose(inRange -> {
            if (inRange.isEmpty()) {
                return Future.succeededFuture(new HourDocs(null, null, inRange));
            }
            boolean exports = inRange.stream().anyMatch(d -> d.maxExportKwh() != null);
            return repository.lastDayBefore(meter, from, UsageRepository.Part.DAY, d -> true).compose(before -> {
                if (before == null || before.maxExportKwh() != null || !exports) {
                    return Future.succeededFuture(new HourDocs(before, before != null && before.maxExportKwh() != null ? before : null,
                            inRange));
                }
                return repository.lastDayBefore(meter, before.day(), UsageRepository.Part.DAY, d -> d.maxExportKwh() != null)
                        .map(beforeExport -> new HourDocs(before, beforeExport, inRange));
            });
        });
    }

    /**
     * Units per hour: each hour's last register minus the last register before it (its own first for the very
     * first); export the same way on the export register, for the hours that carry one.
     */
    private List<HourUsage> toHours(HourDocs h) {
        List<HourUsage> out = new ArrayList<>(h.inRange.size() * 24);
        Double previous = h.before == null ? null : h.before.maxKwh();
        Double previousExport = h.beforeExport == null ? null : h.beforeExport.maxExportKwh();
        for (DaySummary day : h.inRange) {
            for (SpanSummary d : day.hours()) {
                double min = d.minKwh();
                double max = d.maxKwh();
                Instant start = d.start();
                double kwh = Math.max(0, max - (previous == null ? min : previous));
                Double exportMax = d.maxExportKwh();
                Double export = null;
                if (exportMax != null) {
                    export = UsageCalculator.roundKwh(Math.max(0, exportMax - (previousExport == null ? d.minExportKwh() : previousExport)));
                    previousExport = previousExport == null ? exportMax : Math.max(previousExport, exportMax);
                }
                out.add(new HourUsage(start, start.atZone(zone).toLocalDate(), start.atZone(zone).getHour(), UsageCalculator.roundKwh(kwh),
                        export));
                previous = previous == null ? max : Math.max(previous, max);
            }
        }
        return out;
    }
}
