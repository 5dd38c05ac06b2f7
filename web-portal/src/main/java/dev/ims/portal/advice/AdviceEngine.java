package dev.ims.portal.advice;

import dev.ims.portal.circuit.SchedulePresets;
import dev.ims.portal.tariff.Band;
import dev.ims.portal.tariff.TariffVersion;
import dev.ims.portal.tariff.HourUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns a consumer's hourly usage into energy-saving suggestions. Pure: no I/O, no clock; the same
 * input always gives the same advice.
 *
 * <p>Only complete local days count: days with 24 hour entries, or 23/25 on a daylight-saving change.
 * "Days in input" below is the number of those days. Yearly figures are annualised from them.
 *
 * <p>Prices are the tariff's band prices before monthly tiers (a saving comes off the consumer's last
 * kWh, whose tier is unknown here), plus VAT. The "average effective price" is the mean band price
 * over all 168 hours of a week times (1 + VAT/100): the price of a kWh saved evenly around the clock.
 * Money is computed from the unrounded kWh, then rounded to cents; kWh are rounded to whole kWh.
 * A rule whose rounded kWh or money would be 0 stays silent.
 *
 * <p>Prosumers (hours with {@link HourUsage#exportKwh() export}): in an hour when the meter exports, extra load
 * runs on the consumer's own solar, so its cost is the feed-in price lost, not the import price. So the shift
 * rule never counts load of such hours as worth moving, and {@link Suggestion#SELF_CONSUMPTION} suggests moving
 * load into the consumer's export hours instead, saving the import price (with VAT) minus the feed-in price (net
 * and untaxed, as billed) on each kWh moved.
 */
public final class AdviceEngine {

    /**
     * Thresholds of the rules.
     *
     * @param minCompleteDays fewer complete days than this: no advice, only {@link Advice#notEnoughData()}
     * @param typicalBaseLoadWatts what a typical home draws with everything idle, W
     * @param baseLoadFromHour first local hour of the night window the base load is read in (inclusive)
     * @param baseLoadToHour local hour the window ends at (exclusive): 1 and 5 mean 01:00–05:00
     * @param minNights nights with data in the window needed before the base load is judged
     * @param shiftableShare the fraction of above-base use in the dearest hours that could plausibly move
     *     (dishwasher, washing machine, charging)
     * @param minPriceSpreadPerKwh net price difference between the dearest and cheapest hour of the week
     *     needed before shifting is suggested, currency per kWh
     * @param minShiftMoneyPerYear smallest yearly saving, VAT included, worth suggesting a shift for
     * @param unusualDayLookback how many of the latest days are checked for being unusual
     * @param unusualDayFactor a day is unusual above this multiple of the median of the days before it
     * @param unusualDayMinExcessKwh ...and at least this many kWh above that median
     * @param aboveFleetFactor mean daily use above this multiple of the fleet median is flagged
     * @param minFleetMeters a fleet median from fewer meters is not trusted
     * @param minExportKwhPerHour a local hour of the day is one of the consumer's export hours when the days
     *     in input exported at least this much in it on average (kWh in the hour, so 0.2 is 200 W)
     */
    public record Options(
            int minCompleteDays,
            double typicalBaseLoadWatts,
            int baseLoadFromHour,
            int baseLoadToHour,
            int minNights,
            double shiftableShare,
            double minPriceSpreadPerKwh,
            double minShiftMoneyPerYear,
            int unusualDayLookback,
            double unusualDayFactor,
            double unusualDayMinExcessKwh,
            double aboveFleetFactor,
            int minFleetMeters,
            double minExportKwhPerHour) {

        public static final int DEFAULT_MIN_COMPLETE_DAYS = 14;
        public static final double DEFAULT_TYPICAL_BASE_LOAD_WATTS = 150;
        public static final int DEFAULT_BASE_LOAD_FROM_HOUR = 1;
        public static final int DEFAULT_BASE_LOAD_TO_HOUR = 5;
        public static final int DEFAULT_MIN_NIGHTS = 14;
        public static final double DEFAULT_SHIFTABLE_SHARE = 0.2;
        public static final double DEFAULT_MIN_PRICE_SPREAD_PER_KWH = 0.05;
        public static final double DEFAULT_MIN_SHIFT_MONEY_PER_YEAR = 1.0;
        public static final int DEFAULT_UNUSUAL_DAY_LOOKBACK = 7;
        public static final double DEFAULT_UNUSUAL_DAY_FACTOR = 1.6;
        public static final double DEFAULT_UNUSUAL_DAY_MIN_EXCESS_KWH = 3.0;
        public static final double DEFAULT_ABOVE_FLEET_FACTOR = 1.3;
        public static final int DEFAULT_MIN_FLEET_METERS = 5;
        public static final double DEFAULT_MIN_EXPORT_KWH_PER_HOUR = 0.2;

        public static final Options DEFAULTS = new Options(
                DEFAULT_MIN_COMPLETE_DAYS,
                DEFAULT_TYPICAL_BASE_LOAD_WATTS,
                DEFAULT_BASE_LOAD_FROM_HOUR,
                DEFAULT_BASE_LOAD_TO_HOUR,
                DEFAULT_MIN_NIGHTS,
                DEFAULT_SHIFTABLE_SHARE,
                DEFAULT_MIN_PRICE_SPREAD_PER_KWH,
                DEFAULT_MIN_SHIFT_MONEY_PER_YEAR,
                DEFAULT_UNUSUAL_DAY_LOOKBACK,
                DEFAULT_UNUSUAL_DAY_FACTOR,
                DEFAULT_UNUSUAL_DAY_MIN_EXCESS_KWH,
                DEFAULT_ABOVE_FLEET_FACTOR,
                DEFAULT_MIN_FLEET_METERS,
                DEFAULT_MIN_EXPORT_KWH_PER_HOUR);

        public Options {
            if (minCompleteDays < 2) {
                throw new IllegalArgumentException("minCompleteDays must be at least 2");
            }
            if (baseLoadFromHour < 0 || baseLoadFromHour > 23 || baseLoadToHour <= baseLoadFromHour
                    || baseLoadToHour > 24) {
                throw new IllegalArgumentException("base-load window must be 0 <= from < to <= 24");
            }
            if (unusualDayLookback < 1) {
                throw new IllegalArgumentException("unusualDayLookback must be at least 1");
            }
            if (!(shiftableShare > 0 && shiftableShare <= 1)) {
                throw new IllegalArgumentException("shiftableShare must be in (0, 1]");
            }
            if (!(minExportKwhPerHour > 0) || Double.isInfinite(minExportKwhPerHour)) {
                throw new IllegalArgumentException("minExportKwhPerHour must be a positive number");
            }
        }
    }

    private static final int HOURS_PER_YEAR = 8760;
    private static final int DAYS_PER_YEAR = 365;

    private final Options options;

    public AdviceEngine() {
        this(Options.DEFAULTS);
    }

    public AdviceEngine(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public Advice advise(AdviceInput input) {
        Objects.requireNonNull(input, "input");
        List<Day> days = completeDays(input.hours());
        if (days.size() < options.minCompleteDays()) {
            return new Advice(List.of(), String.format(Locale.ROOT,
                    "There %s only %d complete %s of meter data so far; advice needs at least %d.",
                    days.size() == 1 ? "is" : "are", days.size(), days.size() == 1 ? "day" : "days",
                    options.minCompleteDays()));
        }
        Prices prices = Prices.of(input.tariff());
        Nights nights = nights(days);
        boolean[] exportHours = exportHours(days);
        List<Suggestion> out = new ArrayList<>();
        baseLoad(nights, prices).ifPresent(out::add);
        shiftToCheapHours(days, nights, exportHours, input.tariff(), prices)
                .map(sh -> withCircuit(sh, days, input.circuits(), input.tariff(), prices))
                .ifPresent(out::add);
        selfConsumption(days, nights, exportHours, input.tariff(), prices).ifPresent(out::add);
        unusualDay(days, prices).ifPresent(out::add);
        aboveSimilarHomes(days, input.fleetMedianDailyKwh(), input.fleetMeters(), prices).ifPresent(out::add);
        out.sort(Comparator.comparingDouble(Suggestion::moneyPerYear).reversed().thenComparing(Suggestion::kind));
        return new Advice(out, null);
    }

    /**
     * BASE_LOAD. Per night, the smallest hourly kWh inside the window; kWh in one hour × 1000 is that
     * hour's average draw in W. The base load is the median of these nightly minima, so a few nights
     * with a heater or a dishwasher running do not raise it. Judged only with at least
     * {@code minNights} nights. Fires when base &gt; typical: kWh/year = (base − typical) W × 8760 h / 1000,
     * money at the average effective price (the excess runs around the clock).
     */
    private Optional<Suggestion> baseLoad(Nights nights, Prices prices) {
        if (nights.minimaKwh.length < options.minNights()) {
            return Optional.empty();
        }
        double baseW = nights.baseKwh * 1000;
        double typicalW = options.typicalBaseLoadWatts();
        if (!(baseW > typicalW)) {
            return Optional.empty();
        }
        double kwhPerYear = (baseW - typicalW) * HOURS_PER_YEAR / 1000;
        long nightsAtBase = Arrays.stream(nights.minimaKwh).filter(m -> m >= nights.baseKwh - 1e-9).count();
        String evidence = String.format(Locale.ROOT,
                "Between %s and %s your meter drew at least %d W in every hour on %d of the last %d nights;"
                        + " typical homes idle at %d W or less.",
                clock(options.baseLoadFromHour()), clock(options.baseLoadToHour()), Math.round(baseW),
                nightsAtBase, nights.minimaKwh.length, Math.round(typicalW));
        String title = String.format(Locale.ROOT,
                "Switch off about %d W of always-on load", Math.round(baseW - typicalW));
        return suggestion(Suggestion.BASE_LOAD, title, evidence, kwhPerYear, kwhPerYear * prices.averageEffective,
                prices.currency);
    }

    /**
     * SHIFT_TO_CHEAP_HOURS. Only for a tariff whose dearest and cheapest hour of the week differ by at
     * least {@code minPriceSpreadPerKwh} net. In every hour priced at the weekly maximum, the kWh above
     * the base load (hour kWh − base kWh per hour, floored at 0: the base load cannot move) times
     * {@code shiftableShare} is what could move; annualised × 365 / days in input. Money is that kWh
     * × (max − min price) × (1 + VAT/100): the kWh are still used, only cheaper. Fires from
     * {@code minShiftMoneyPerYear}. kwhPerYear is the shifted kWh, not a saving of energy. Hours in which the
     * meter exported, and the consumer's export hours of the day, never count: load there runs on their own
     * solar, and moving it would buy at the import price what now costs only the lost feed-in.
     */
    private Optional<Suggestion> shiftToCheapHours(
            List<Day> days, Nights nights, boolean[] exportHours, TariffVersion tariff, Prices prices) {
        // The hours it sends load to are never the consumer's export hours: they export then anyway, so load moved there
        // costs the lost feed-in, not the band's price (SELF_CONSUMPTION prices that case). The cheapest other hour sets the price.
        double cheapest = Double.MAX_VALUE;
        for (java.time.DayOfWeek dow : java.time.DayOfWeek.values()) {
            for (int h = 0; h < 24; h++) {
                if (!exportHours[h]) {
                    cheapest = Math.min(cheapest, tariff.bandPrice(dow, h));
                }
            }
        }
        double spread = prices.max - cheapest;
        if (cheapest == Double.MAX_VALUE || !(spread >= options.minPriceSpreadPerKwh() - 1e-12)) {
            return Optional.empty();
        }
        double aboveBaseKwh = 0;
        for (Day d : days) {
            for (HourUsage h : d.hours) {
                if (tariff.bandPrice(h.dayOfWeek(), h.hour()) >= prices.max - 1e-12 && !exportHours[h.hour()] && !(h.exported() > 0)) {
                    aboveBaseKwh += Math.max(0, h.kwh() - nights.baseKwh);
                }
            }
        }
        double kwhPerYear = aboveBaseKwh * options.shiftableShare() * DAYS_PER_YEAR / days.size();
        double money = kwhPerYear * spread * prices.vatFactor;
        if (!(money >= options.minShiftMoneyPerYear())) {
            return Optional.empty();
        }
        String peakName = tariff.bands().stream()
                .filter(b -> b.pricePerKwh() >= prices.max - 1e-12)
                .map(Band::name)
                .findFirst()
                .map(n -> "your \"" + n + "\" hours")
                .orElse("the hours");
        String evidence = String.format(Locale.ROOT,
                "Over the last %d days you used %.1f kWh above your base load in %s, priced at %s %s/kWh"
                        + " before VAT; the cheapest hours%s cost %s %s/kWh.",
                days.size(), aboveBaseKwh, peakName, price(prices.max), prices.currency,
                cheapest > prices.min + 1e-12 ? " outside your solar export hours" : "", price(cheapest),
                prices.currency);
        String title = String.format(Locale.ROOT, "Move about %d kWh a year to cheaper hours", Math.round(kwhPerYear));
        return suggestion(Suggestion.SHIFT_TO_CHEAP_HOURS, title, evidence, kwhPerYear, money, prices.currency);
    }

    /**
     * A SHIFT_TO_CHEAP_HOURS suggestion made actionable, when the meter has circuits. Of the switchable, non-critical
     * circuits, the one with the most kWh in hours priced at the weekly maximum (on the complete days in input, hours
     * the meter exported in excluded, as in the shift rule) is named; ties go to the circuit listed first. Its offer is
     * the {@link SchedulePresets.Preset#CHEAPEST_BAND} schedule: each of those kWh, used at the band price p of its
     * hour, would run in the preset's hours of the same weekday instead, at the mean band price q of those hours, so it
     * saves (p − q) × (1 + VAT/100). Per month = sum × (365 / 12) / days in input. Silent (the suggestion unchanged)
     * when no circuit qualifies or the saving rounds to 0.
     */
    private Suggestion withCircuit(Suggestion shift, List<Day> days, List<CircuitUsage> circuits, TariffVersion tariff, Prices prices) {
        if (circuits.isEmpty()) {
            return shift;
        }
        boolean[] allowed = presetHours(SchedulePresets.resolve(SchedulePresets.Preset.CHEAPEST_BAND, null, null, tariff, java.time.ZoneOffset.UTC));
        Map<DayOfWeek, Double> allowedPrice = new java.util.EnumMap<>(DayOfWeek.class);
        for (DayOfWeek dow : DayOfWeek.values()) {
            double sum = 0;
            int n = 0;
            for (int h = 0; h < 24; h++) {
                if (allowed[h]) {
                    sum += tariff.bandPrice(dow, h);
                    n++;
                }
            }
            allowedPrice.put(dow, sum / n);
        }
        java.util.Set<LocalDate> complete = new java.util.HashSet<>();
        java.util.Set<java.time.Instant> exported = new java.util.HashSet<>();
        for (Day d : days) {
            complete.add(d.date);
            d.hours.stream().filter(h -> h.exported() > 0).forEach(h -> exported.add(h.start()));
        }
        CircuitUsage best = null;
        double bestKwh = 0;
        double bestSaving = 0;
        for (CircuitUsage c : circuits) {
            if (!c.switchable() || c.critical()) {
                continue;
            }
            double kwh = 0;
            double saving = 0;
            for (HourUsage h : c.hours()) {
                double p = tariff.bandPrice(h.dayOfWeek(), h.hour());
                if (complete.contains(h.day()) && !exported.contains(h.start()) && p >= prices.max - 1e-12) {
                    kwh += h.kwh();
                    saving += h.kwh() * (p - allowedPrice.get(h.dayOfWeek())) * prices.vatFactor;
                }
            }
            if (kwh > bestKwh + 1e-12) {
                best = c;
                bestKwh = kwh;
                bestSaving = saving;
            }
        }
        double perMonth = DAYS_PER_YEAR / 12.0 / days.size();
        double kwhPerMonth = BigDecimal.valueOf(bestKwh * perMonth).setScale(1, RoundingMode.HALF_UP).doubleValue();
        double money = BigDecimal.valueOf(bestSaving * perMonth).setScale(2, RoundingMode.HALF_UP).doubleValue();
        if (best == null || !(money > 0) || !(kwhPerMonth > 0)) {
            return shift;
        }
        String title = String.format(Locale.ROOT, "Your %s uses %s kWh a month in the peak hours: run it in the cheapest hours",
                best.name(), kwhText(kwhPerMonth));
        String evidence = shift.evidence() + String.format(Locale.ROOT,
                " Your %s used %.1f kWh of it; run only in the cheapest hours it would cost about %s %s a month less.",
                best.name(), bestKwh, String.format(Locale.ROOT, "%.2f", money), prices.currency);
        return new Suggestion(shift.kind(), title, evidence, shift.kwhPerYear(), shift.moneyPerYear(), shift.currency(),
                new Suggestion.Action(best.id(), best.name(), SchedulePresets.Preset.CHEAPEST_BAND.name(), kwhPerMonth, money,
                        lastDay(best, complete, tariff, allowedPrice).orElse(null)));
    }

    /**
     * The circuit's last complete day in input (a complete day of the meter's on which the circuit has 23 or more hour
     * entries): its kWh X; their cost A, each hour's kWh at its band price plus VAT, summed unrounded and rounded to cents
     * once (the circuit's own day cost, as {@link dev.ims.portal.circuit.CircuitBill} prices it, under today's tariff
     * version); and B = X × the mean band price q of the preset's hours that weekday, plus VAT, rounded to cents. Empty
     * when there is no such day or X rounds to 0.
     */
    static Optional<Suggestion.DayPrediction> lastDay(CircuitUsage circuit, java.util.Set<LocalDate> complete, TariffVersion tariff,
            Map<DayOfWeek, Double> presetPrice) {
        Map<LocalDate, List<HourUsage>> byDay = new TreeMap<>(Comparator.reverseOrder());
        for (HourUsage h : circuit.hours()) {
            if (complete.contains(h.day())) {
                byDay.computeIfAbsent(h.day(), d -> new ArrayList<>()).add(h);
            }
        }
        BigDecimal vat = BigDecimal.valueOf(tariff.vatPercent()).divide(BigDecimal.valueOf(100));
        for (Map.Entry<LocalDate, List<HourUsage>> e : byDay.entrySet()) {
            if (e.getValue().size() < 23) {
                continue;
            }
            BigDecimal kwh = BigDecimal.ZERO;
            BigDecimal cost = BigDecimal.ZERO;
            for (HourUsage h : e.getValue()) {
                BigDecimal net = BigDecimal.valueOf(h.kwh()).multiply(BigDecimal.valueOf(tariff.bandPrice(h.dayOfWeek(), h.hour())));
                cost = cost.add(net).add(net.multiply(vat));
                kwh = kwh.add(BigDecimal.valueOf(h.kwh()));
            }
            BigDecimal net = kwh.multiply(BigDecimal.valueOf(presetPrice.get(e.getKey().getDayOfWeek())));
            BigDecimal after = net.add(net.multiply(vat));
            double x = kwh.setScale(2, RoundingMode.HALF_UP).doubleValue();
            if (!(x > 0)) {
                return Optional.empty();
            }
            return Optional.of(new Suggestion.DayPrediction(e.getKey(), x, cost.setScale(2, RoundingMode.HALF_UP).doubleValue(),
                    after.setScale(2, RoundingMode.HALF_UP).doubleValue()));
        }
        return Optional.empty();
    }

    /** The local hours of the day whose start a schedule's windows cover (the presets' windows are whole hours). */
    private static boolean[] presetHours(dev.ims.model.circuit.Schedule schedule) {
        boolean[] out = new boolean[24];
        for (int h = 0; h < 24; h++) {
            int m = h * 60;
            for (dev.ims.model.circuit.Schedule.Window w : schedule.windows()) {
                boolean crosses = w.fromMinute() > w.toMinute();
                out[h] |= crosses ? m >= w.fromMinute() || m < w.toMinute() : m >= w.fromMinute() && m < w.toMinute();
            }
        }
        return out;
    }

    private static String kwhText(double kwh) {
        return kwh == Math.rint(kwh) ? String.format(Locale.ROOT, "%d", (long) kwh) : String.format(Locale.ROOT, "%.1f", kwh);
    }

    /**
     * SELF_CONSUMPTION. Only with export hours (see {@link #exportHours}). In every other hour in which the
     * meter exported nothing, the kWh above the base load × {@code shiftableShare} could run in the export hours
     * instead, saving per kWh the hour's band price × (1 + VAT/100) minus the feed-in price (hours where that is
     * not positive do not count). The kWh moved are capped at what the export hours exported (only surplus solar
     * can be used); when capped, the saving shrinks in proportion. Annualised × 365 / days in input, at the
     * recent days' rate (export is seasonal). Fires from {@code minShiftMoneyPerYear}; kwhPerYear is the kWh
     * moved, which the consumer no longer buys.
     */
    private Optional<Suggestion> selfConsumption(
            List<Day> days, Nights nights, boolean[] exportHours, TariffVersion tariff, Prices prices) {
        int first = -1;
        int last = -1;
        for (int h = 0; h < 24; h++) {
            if (exportHours[h]) {
                first = first < 0 ? h : first;
                last = h;
            }
        }
        if (first < 0) {
            return Optional.empty();
        }
        double feedIn = tariff.feedInPrice();
        double movableKwh = 0;
        double saving = 0;
        double exported = 0;
        double dearest = 0;
        for (Day d : days) {
            for (HourUsage h : d.hours) {
                if (exportHours[h.hour()]) {
                    exported += h.exported();
                    continue;
                }
                if (h.exported() > 0) {
                    continue;
                }
                double perKwh = tariff.bandPrice(h.dayOfWeek(), h.hour()) * prices.vatFactor - feedIn;
                double kwh = Math.max(0, h.kwh() - nights.baseKwh) * options.shiftableShare();
                if (perKwh > 0 && kwh > 0) {
                    movableKwh += kwh;
                    saving += kwh * perKwh;
                    dearest = Math.max(dearest, tariff.bandPrice(h.dayOfWeek(), h.hour()));
                }
            }
        }
        if (!(movableKwh > 0)) {
            return Optional.empty();
        }
        if (movableKwh > exported) {
            saving *= exported / movableKwh;
            movableKwh = exported;
        }
        double kwhPerYear = movableKwh * DAYS_PER_YEAR / days.size();
        double money = saving * DAYS_PER_YEAR / days.size();
        if (!(money >= options.minShiftMoneyPerYear())) {
            return Optional.empty();
        }
        String evidence = String.format(Locale.ROOT,
                "Over the last %d days your panels fed %.1f kWh into the grid between %s and %s, earning %s %s/kWh;"
                        + " at other times you bought power at up to %s %s/kWh before VAT.",
                days.size(), exported, clock(first), clock(last + 1), price(feedIn), prices.currency, price(dearest),
                prices.currency);
        String title = String.format(Locale.ROOT, "Run about %d kWh a year while your solar panels export",
                Math.round(kwhPerYear));
        return suggestion(Suggestion.SELF_CONSUMPTION, title, evidence, kwhPerYear, money, prices.currency);
    }

    /**
     * The consumer's export hours: {@code [h]} is true when the days in input exported at least
     * {@code minExportKwhPerHour} on average in local hour {@code h} (all false for a meter that never exports).
     */
    private boolean[] exportHours(List<Day> days) {
        double[] sum = new double[24];
        for (Day d : days) {
            for (HourUsage h : d.hours) {
                sum[h.hour()] += h.exported();
            }
        }
        boolean[] out = new boolean[24];
        for (int h = 0; h < 24; h++) {
            out[h] = sum[h] / days.size() >= options.minExportKwhPerHour() - 1e-12;
        }
        return out;
    }

    /**
     * UNUSUAL_DAY. Each of the last {@code unusualDayLookback} days is compared with the median daily
     * kWh of all days before it in the input (the median ignores earlier outliers). A day is unusual
     * when it used more than {@code unusualDayFactor} × that median and more than
     * {@code unusualDayMinExcessKwh} above it. One suggestion for all such days: kWh/year = their summed
     * excess over their medians × 365 / days in input (how often such days seem to happen), money at
     * the average effective price. The evidence names the day with the largest excess.
     */
    private Optional<Suggestion> unusualDay(List<Day> days, Prices prices) {
        int first = Math.max(1, days.size() - options.unusualDayLookback());
        double excessKwh = 0;
        int count = 0;
        Day worst = null;
        double worstMedian = 0;
        double worstExcess = 0;
        for (int i = first; i < days.size(); i++) {
            double median = median(days.subList(0, i).stream().mapToDouble(Day::kwh).toArray());
            Day d = days.get(i);
            if (d.kwh > options.unusualDayFactor() * median && d.kwh > median + options.unusualDayMinExcessKwh()) {
                double excess = d.kwh - median;
                excessKwh += excess;
                count++;
                if (excess > worstExcess) {
                    worst = d;
                    worstMedian = median;
                    worstExcess = excess;
                }
            }
        }
        if (worst == null) {
            return Optional.empty();
        }
        double kwhPerYear = excessKwh * DAYS_PER_YEAR / days.size();
        int checked = days.size() - first;
        String evidence = String.format(Locale.ROOT,
                "On %s you used %.1f kWh, %.1f times your usual %.1f kWh a day; %d of the last %d days %s"
                        + " that far above usual.",
                dayName(worst.date), worst.kwh, worst.kwh / worstMedian, worstMedian, count, checked,
                count == 1 ? "was" : "were");
        String title = count == 1
                ? "Check what ran on " + dayName(worst.date)
                : String.format(Locale.ROOT, "Check what ran on %d unusually high days", count);
        return suggestion(Suggestion.UNUSUAL_DAY, title, evidence, kwhPerYear, kwhPerYear * prices.averageEffective,
                prices.currency);
    }

    /**
     * ABOVE_SIMILAR_HOMES. Only with a known, positive fleet median from at least {@code minFleetMeters}
     * meters. Fires when the consumer's mean daily kWh over the input exceeds {@code aboveFleetFactor} ×
     * that median: kWh/year = (mean − median) × 365, money at the average effective price.
     */
    private Optional<Suggestion> aboveSimilarHomes(
            List<Day> days, Double fleetMedian, int fleetMeters, Prices prices) {
        if (fleetMedian == null || !(fleetMedian > 0) || fleetMedian.isInfinite()
                || fleetMeters < options.minFleetMeters()) {
            return Optional.empty();
        }
        double mean = days.stream().mapToDouble(Day::kwh).average().orElse(0);
        if (!(mean > options.aboveFleetFactor() * fleetMedian)) {
            return Optional.empty();
        }
        double kwhPerYear = (mean - fleetMedian) * DAYS_PER_YEAR;
        String evidence = String.format(Locale.ROOT,
                "Over the last %d days you used %.1f kWh a day on average; the median of %d other homes"
                        + " was %.1f kWh a day.",
                days.size(), mean, fleetMeters, fleetMedian);
        String title = String.format(Locale.ROOT, "You use %.1f times as much as the median home", mean / fleetMedian);
        return suggestion(Suggestion.ABOVE_SIMILAR_HOMES, title, evidence, kwhPerYear,
                kwhPerYear * prices.averageEffective, prices.currency);
    }

    private static Optional<Suggestion> suggestion(
            String kind, String title, String evidence, double kwhPerYear, double money, String currency) {
        double kwh = Math.round(kwhPerYear);
        double cents = BigDecimal.valueOf(money).setScale(2, RoundingMode.HALF_UP).doubleValue();
        if (!(kwh > 0) || !(cents > 0)) {
            return Optional.empty();
        }
        return Optional.of(new Suggestion(kind, title, evidence, kwh, cents, currency));
    }

    private static List<Day> completeDays(List<HourUsage> hours) {
        Map<LocalDate, List<HourUsage>> byDay = new TreeMap<>();
        for (HourUsage h : hours) {
            byDay.computeIfAbsent(h.day(), d -> new ArrayList<>()).add(h);
        }
        List<Day> days = new ArrayList<>();
        byDay.forEach((date, list) -> {
            if (list.size() >= 23 && list.size() <= 25) {
                days.add(new Day(date, List.copyOf(list), list.stream().mapToDouble(HourUsage::kwh).sum()));
            }
        });
        return days;
    }

    private Nights nights(List<Day> days) {
        double[] minima = days.stream()
                .mapToDouble(d -> d.hours.stream()
                        .filter(h -> h.hour() >= options.baseLoadFromHour() && h.hour() < options.baseLoadToHour())
                        .mapToDouble(HourUsage::kwh)
                        .min()
                        .orElse(Double.NaN))
                .filter(m -> !Double.isNaN(m))
                .toArray();
        return new Nights(minima, minima.length == 0 ? 0 : median(minima));
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        if (n == 0) {
            return 0;
        }
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String clock(int hour) {
        return String.format(Locale.ROOT, "%02d:00", hour);
    }

    private static String price(double p) {
        return BigDecimal.valueOf(p).stripTrailingZeros().scale() <= 2
                ? String.format(Locale.ROOT, "%.2f", p)
                : BigDecimal.valueOf(p).stripTrailingZeros().toPlainString();
    }

    private static String dayName(LocalDate d) {
        return d.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + d.getDayOfMonth() + " "
                + d.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + d.getYear();
    }

    /** A complete local day: its hour entries and their kWh total. */
    private record Day(LocalDate date, List<HourUsage> hours, double kwh) {}

    /** Nightly minima of the base-load window (kWh in one hour) and their median. */
    private record Nights(double[] minimaKwh, double baseKwh) {}

    /** Weekly price facts of a tariff, net unless named effective. */
    private record Prices(double max, double min, double averageEffective, double vatFactor, String currency) {

        static Prices of(TariffVersion t) {
            double max = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            double sum = 0;
            for (DayOfWeek d : DayOfWeek.values()) {
                for (int h = 0; h < 24; h++) {
                    double p = t.bandPrice(d, h);
                    max = Math.max(max, p);
                    min = Math.min(min, p);
                    sum += p;
                }
            }
            double vatFactor = 1 + t.vatPercent() / 100;
            return new Prices(max, min, sum / (7 * 24) * vatFactor, vatFactor, t.currency());
        }
    }
}
