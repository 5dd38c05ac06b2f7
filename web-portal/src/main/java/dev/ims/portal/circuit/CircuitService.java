package dev.ims.portal.circuit;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.model.usage.UsageCalculator;
import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.tariff.HourUsage;
import dev.ims.portal.usage.UsageService;
import dev.ims.portal.store.UsageRepository;
import dev.ims.store.DaySummary;
import dev.ims.store.SpanSummary;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * A meter's circuits from its meter document (descriptions, {@code latest.circuits}) and the day documents' hours'
 * {@code circuits.<id>.minKwh/maxKwh} ({@link UsageRepository}). A circuit's hourly kWh follow the meter's own rule: the hour's last register
 * minus the last one before it (the hour's own first for the first hour known), so nothing is lost across a gap.
 */
public final class CircuitService {

    /**
     * A circuit as the API and the dashboard show it. {@code schedule}: the schedule the portal keeps for it (preset,
     * windows, command state, followed yesterday; {@link CircuitControlService#schedules}), or null.
     */
    public record CircuitView(String id, String name, String kind, boolean critical, boolean switchable, String relay,
            Double powerW, double todayKwh, double monthKwh, double monthCost, double shareOfBill, Object schedule) {

        CircuitView withSchedule(Object schedule) {
            return new CircuitView(id, name, kind, critical, switchable, relay, powerW, todayKwh, monthKwh, monthCost, shareOfBill, schedule);
        }
    }

    /**
     * @param monthBill the household's bill this month to date; {@code restOfHouseCost} = bill − Σ circuits' monthCost
     */
    public record Overview(String meterId, String currency, String today, String month, List<CircuitView> circuits,
            double monthKwh, double monthBill, double restOfHouseKwh, double restOfHouseCost) {

        /** This overview with each circuit's kept schedule ({@code circuit} → view) filled in. */
        public Overview withSchedules(Map<String, ?> byCircuit) {
            return new Overview(meterId, currency, today, month, circuits.stream().map(c -> c.withSchedule(byCircuit.get(c.id()))).toList(),
                    monthKwh, monthBill, restOfHouseKwh, restOfHouseCost);
        }
    }

    /** One hour or day of a circuit: {@code period} is the hour's start (ISO instant) or the local day. */
    public record Entry(String period, double kwh, double cost, String currency) {}

    private final UsageService usage;

    public CircuitService(UsageService usage) {
        this.usage = usage;
    }

    /** The meter's circuit descriptions (newest birth's), in the order the meter gave; empty for none. */
    public static List<Document> descriptions(Document meter) {
        Document c = meter.get(CIRCUITS, Document.class);
        List<Document> list = c == null ? null : c.getList(LIST, Document.class);
        return list == null ? List.of() : list;
    }

    /** The overview of {@code meter}'s circuits (an empty list when it has none). */
    public Future<Overview> overview(Document meter) {
        String meterId = meter.getString(ID);
        List<Document> infos = descriptions(meter);
        LocalDate today = usage.today();
        LocalDate monthStart = today.withDayOfMonth(1);
        Future<Map<String, List<HourUsage>>> circuitHours = hours(meterId, monthStart, today);
        Future<List<HourUsage>> houseHours = usage.hours(meter, monthStart, today);
        Future<TariffBook> book = usage.tariffs().book();
        return Future.all(circuitHours, houseHours, book).map(v -> {
            Map<String, List<HourUsage>> byCircuit = new LinkedHashMap<>();
            for (Document info : infos) {
                byCircuit.put(info.getString(CIRCUIT_ID), circuitHours.result().getOrDefault(info.getString(CIRCUIT_ID), List.of()));
            }
            CircuitBill.Shares shares = CircuitBill.shares(book.result(), houseHours.result(), byCircuit);
            Map<String, Document> latest = latestValues(meter);
            List<CircuitView> views = new ArrayList<>();
            double circuitsKwh = 0;
            for (Document info : infos) {
                String id = info.getString(CIRCUIT_ID);
                List<HourUsage> h = byCircuit.get(id);
                double monthKwh = sum(h, null);
                circuitsKwh += monthKwh;
                Document now = latest.get(id);
                views.add(new CircuitView(id, info.getString(NAME), info.getString(KIND), Boolean.TRUE.equals(info.getBoolean(CRITICAL)),
                        Boolean.TRUE.equals(info.getBoolean(SWITCHABLE)), now == null ? null : now.getString(RELAY),
                        now != null && now.get(POWER_W) instanceof Number n ? n.doubleValue() : null,
                        sum(h, today), monthKwh, shares.circuits().get(id), shares.fraction(id), null));
            }
            double monthKwh = sum(houseHours.result(), null);
            return new Overview(meterId, shares.currency(), today.toString(), monthStart.toString().substring(0, 7), views, monthKwh,
                    shares.bill(), UsageCalculator.roundKwh(Math.max(0, monthKwh - circuitsKwh)), shares.rest());
        });
    }

    /**
     * One circuit's use per hour or per day of the local days {@code from..to}, priced (band price + VAT).
     *
     * @param byHour true: one entry per hour with data; false: one per day with data
     */
    public Future<List<Entry>> usage(String meterId, String circuitId, LocalDate from, LocalDate to, boolean byHour) {
        return Future.all(hours(meterId, from, to), usage.tariffs().book()).map(v -> {
            Map<String, List<HourUsage>> all = v.resultAt(0);
            TariffBook book = v.resultAt(1);
            List<HourUsage> hours = all.getOrDefault(circuitId, List.of());
            Map<String, List<HourUsage>> groups = new LinkedHashMap<>();
            for (HourUsage h : hours) {
                if (h.day().isBefore(from)) {
                    continue;
                }
                groups.computeIfAbsent(byHour ? h.start().toString() : h.day().toString(), k -> new ArrayList<>()).add(h);
            }
            Map<String, Double> costs = CircuitBill.price(book, groups);
            String currency = book.versionOn(to).currency();
            List<Entry> out = new ArrayList<>();
            groups.forEach((period, list) -> out.add(new Entry(period, sum(list, null), costs.get(period), currency)));
            return out;
        });
    }

    /** The circuits' values in the meter's latest reading, by ID. */
    private static Map<String, Document> latestValues(Document meter) {
        Map<String, Document> out = new LinkedHashMap<>();
        Document latest = meter.get(LATEST, Document.class);
        List<Document> list = latest == null ? null : latest.getList(CIRCUITS, Document.class);
        if (list != null) {
            for (Document c : list) {
                out.put(c.getString(CIRCUIT_ID), c);
            }
        }
        return out;
    }

    private static double sum(List<HourUsage> hours, LocalDate day) {
        java.math.BigDecimal s = java.math.BigDecimal.ZERO;
        for (HourUsage h : hours) {
            if (day == null || h.day().equals(day)) {
                s = s.add(java.math.BigDecimal.valueOf(h.kwh()));
            }
        }
        return UsageCalculator.roundKwh(s.doubleValue());
    }

    /** Each circuit's hourly use on local days {@code from..to}, by circuit ID, ascending. */
    public Future<Map<String, List<HourUsage>>> hours(String meterId, LocalDate from, LocalDate to) {
        return hours(usage.repository(), meterId, from, to);
    }

    /**
     * Each circuit's hourly use on local days {@code from..to} from the day documents' hours, by circuit ID, ascending;
     * the last day before them with circuit registers (looked for only when the range has some) starts each circuit.
     */
    static Future<Map<String, List<HourUsage>>> hours(UsageRepository repository, String meterId, LocalDate from, LocalDate to) {
        ZoneId zone = repository.calendar().zone();
        return repository.days(meterId, from, to, UsageRepository.Part.HOURS).compose(inRange -> {
            if (inRange.stream().allMatch(d -> d.circuits().isEmpty())) {
                return Future.succeededFuture(Map.<String, List<HourUsage>>of());
            }
            return repository.lastDayBefore(meterId, from, UsageRepository.Part.DAY, d -> !d.circuits().isEmpty())
                    .map(before -> toHours(before, inRange, zone));
        });
    }

    /**
     * Pure: each circuit's hourly kWh from the days' hours (see the class comment).
     *
     * @param before the last day before them with circuit registers, or null
     */
    static Map<String, List<HourUsage>> toHours(DaySummary before, List<DaySummary> days, ZoneId zone) {
        Map<String, Double> previous = new LinkedHashMap<>();
        if (before != null) {
            before.circuits().forEach((id, range) -> previous.put(id, range[1]));
        }
        Map<String, List<HourUsage>> out = new LinkedHashMap<>();
        for (DaySummary day : days) {
            for (SpanSummary hour : day.hours()) {
                Instant start = hour.start();
                hour.circuits().forEach((id, range) -> {
                    Double prev = previous.get(id);
                    double kwh = Math.max(0, range[1] - (prev == null ? range[0] : prev));
                    previous.put(id, prev == null ? range[1] : Math.max(prev, range[1]));
                    out.computeIfAbsent(id, k -> new ArrayList<>()).add(new HourUsage(start, start.atZone(zone).toLocalDate(),
                            start.atZone(zone).getHour(), UsageCalculator.roundKwh(kwh)));
                });
            }
        }
        return out;
    }
}
