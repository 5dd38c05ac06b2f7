package dev.ims.portal.dashboard;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.portal.advice.AdviceService;
import dev.ims.portal.circuit.CircuitService;
import dev.ims.portal.chart.Bar;
import dev.ims.portal.chart.BarChart;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.meter.MeterView;
import dev.ims.portal.quarantine.QuarantineStore;
import dev.ims.portal.quarantine.QuarantinedReading;
import dev.ims.portal.tariff.HourUsage;
import dev.ims.portal.usage.MonthOutlook;
import dev.ims.portal.usage.UsageService;
import dev.ims.portal.command.CommandService;
import dev.ims.portal.account.Access;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Pages;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /meters/{id}}: the meter's dashboard. {@code ?view=day|month|year&date=2026-11-14} picks the chart
 * (hourly bars of a day, daily bars of a month, monthly bars of a year), each compared with the same period
 * before (the same weekday a week earlier, the month before, the year before). For a meter that exports in the
 * period shown, the chart adds export below the axis and the net, the cards the export power now and the
 * month's export and feed-in credit; a meter that never exports gets the page as before.
 */
public final class DashboardRoutes {

    private static final DateTimeFormatter DAY_TITLE = DateTimeFormatter.ofPattern("EEE d MMM yyyy", Locale.ENGLISH);

    private final MeterRoutes meters;
    private final UsageService usage;
    private final AdviceService advice;
    private final Pages pages;

    private final CommandService commands;

    private final QuarantineStore quarantine;

    public DashboardRoutes(MeterRoutes meters, UsageService usage, AdviceService advice, CommandService commands,
            QuarantineStore quarantine, Pages pages) {
        this.commands = commands;
        this.quarantine = quarantine;
        this.meters = meters;
        this.usage = usage;
        this.advice = advice;
        this.pages = pages;
    }

    /** The relay section's interlock, do-not-disconnect flag and approvals (staff); null: none shown. */
    private dev.ims.portal.command.RelayOperations relayOperations;

    public DashboardRoutes withRelayOperations(dev.ims.portal.command.RelayOperations relayOperations) {
        this.relayOperations = relayOperations;
        return this;
    }

    /** Circuits on the page (the "Circuits" section, for meters that have any); null: none. */
    private CircuitService circuits;

    /** This dashboard with the circuits section. */
    public DashboardRoutes withCircuits(CircuitService circuits) {
        this.circuits = circuits;
        return this;
    }

    public void register(Router router) {
        router.get("/meters/:id").handler(this::page);
    }

    private dev.ims.portal.circuit.CircuitControlService circuitControl;

    /** Adds the owner's circuit controls to the page ({@code circuitOwner}, {@code circuitSchedules}). */
    public DashboardRoutes withCircuitControl(dev.ims.portal.circuit.CircuitControlService circuitControl) {
        this.circuitControl = circuitControl;
        return this;
    }

    /** Open quarantined readings listed on the staff view of a meter page, newest first; the API lists all. */
    static final int QUARANTINE_ON_PAGE = 50;

    private void page(RoutingContext ctx) {
        String view = ctx.request().getParam("view", "month");
        if (!List.of("day", "month", "year").contains(view)) {
            throw HttpError.badRequest("view must be day, month or year");
        }
        LocalDate today = usage.today();
        LocalDate date = parseDate(ctx.request().getParam("date"), today);
        meters.meter(ctx).compose(m -> {
            String id = m.getString(ID);
            LocalDate outlookFrom = today.withDayOfMonth(1).isBefore(today.minusDays(MonthOutlook.BASIS_DAYS))
                    ? today.withDayOfMonth(1) : today.minusDays(MonthOutlook.BASIS_DAYS);
            Future<List<UsageService.Entry>> recent = usage.daily(m, outlookFrom, today);
            Future<List<UsageService.Peak>> peak = usage.peaks(m, YearMonth.from(today), YearMonth.from(today));
            Future<Chart> chart = chart(m, view, date, today);
            Future<AdviceService.Result> tips = advice.advise(m, today);
            boolean staff = Access.principal(ctx).isStaff();
            Future<List<org.bson.Document>> relayCommands = staff ? commands.recent(id, 5) : Future.succeededFuture(List.of());
            Future<Map<String, Object>> relaySection = staff && relayOperations != null ? relayOperations.section(m) : Future.succeededFuture(Map.of());
            Future<List<QuarantinedReading>> held = staff ? quarantine.forMeter(id, true, QUARANTINE_ON_PAGE) : Future.succeededFuture(List.of());
            Future<Map<String, Object>> controls = circuitControl == null ? Future.succeededFuture(Map.of())
                    : circuitControl.pageModel(m, Access.principal(ctx));
            Future<CircuitService.Overview> circuitOverview = circuits != null && !CircuitService.descriptions(m).isEmpty()
                    ? circuits.overview(m) : Future.succeededFuture(null);
            return Future.all(List.of(recent, peak, chart, tips, relayCommands, held, controls, circuitOverview, relaySection)).map(v -> {
                Map<String, Object> model = new HashMap<>(controls.result());
                model.put("meter", MeterView.of(m));
                List<UsageService.Entry> days = recent.result();
                model.put("outlook", MonthOutlook.of(days, today));
                model.put("todayKwh", days.stream().filter(e -> e.period().equals(today.toString())).mapToDouble(UsageService.Entry::kwh).sum());
                model.put("currency", tips.result().currency());
                model.put("peak", peak.result().isEmpty() ? null : Map.of("kw", peak.result().get(0).kw(),
                        "at", peak.result().get(0).start().atZone(usage.zone()).format(DateTimeFormatter.ofPattern("d MMM HH:mm", Locale.ENGLISH))));
                Chart c = chart.result();
                Map<String, Object> chartModel = new HashMap<>(Map.of("svg", c.chart.svg(), "table", c.chart.table(), "title", c.chart.title(),
                        "prev", c.prev, "next", c.next == null ? "" : c.next, "view", view, "kwh", c.kwh, "cost", c.cost,
                        "from", c.from.toString(), "to", c.to.toString()));
                List<UsageService.Entry> periodDays = c.entries.stream().filter(UsageService.Entry::exports).toList();
                if (!periodDays.isEmpty()) {
                    chartModel.put("exportKwh", sum(periodDays, UsageService.Entry::exportKwh));
                    chartModel.put("netKwh", java.math.BigDecimal.valueOf(c.kwh).subtract(java.math.BigDecimal.valueOf(
                            sum(periodDays, UsageService.Entry::exportKwh))).doubleValue());
                    chartModel.put("credit", sum(periodDays, UsageService.Entry::credit));
                }
                model.put("chart", chartModel);
                model.put("exportPowerW", exportPowerW(m));
                model.put("advice", tips.result());
                model.put("today", today.toString());
                model.put("commands", relayCommands.result().stream().map(d -> CommandService.view(d, true)).toList());
                model.put("relaySection", relaySection.result());
                model.put("quarantine", held.result());
                if (circuitOverview.result() != null) {
                    model.put("circuits", CircuitsSection.of(circuitOverview.result()));
                }
                return model;
            });
        }).onSuccess(model -> pages.render(ctx, "meter.ftlh", model)).onFailure(ctx::fail);
    }

    /** @param entries the period's usage entries (days of a day or month view, months of a year view) */
    private record Chart(BarChart chart, String prev, String next, double kwh, double cost, LocalDate from, LocalDate to,
            List<UsageService.Entry> entries) {}

    /** The latest reading's export power in W when it is above 0, else null (no card). */
    static Double exportPowerW(org.bson.Document meter) {
        org.bson.Document latest = meter.get(LATEST, org.bson.Document.class);
        return latest != null && latest.get(EXPORT_POWER_W) instanceof Number n && n.doubleValue() > 0 ? n.doubleValue() : null;
    }

    private static double sum(List<UsageService.Entry> entries, java.util.function.Function<UsageService.Entry, Double> part) {
        return entries.stream().map(part).filter(java.util.Objects::nonNull).map(java.math.BigDecimal::valueOf)
                .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add).doubleValue();
    }

    /** @param meter the meter document the page has just read (its usage reads do not read it again) */
    private Future<Chart> chart(org.bson.Document meter, String view, LocalDate date, LocalDate today) {
        String id = meter.getString(ID);
        String base = "/meters/" + id + "?view=";
        switch (view) {
            case "day" -> {
                Future<List<HourUsage>> now = usage.hours(meter, date);
                Future<List<HourUsage>> before = usage.hours(meter, date.minusWeeks(1));
                Future<List<UsageService.Entry>> total = usage.daily(meter, date, date);
                return Future.all(now, before, total).map(v -> {
                    Map<String, Double> compare = new HashMap<>();
                    for (HourUsage h : before.result()) {
                        compare.merge(Integer.toString(h.hour()), h.kwh(), Double::sum);
                    }
                    List<Bar> bars = new ArrayList<>();
                    for (HourUsage h : now.result()) {
                        String label = String.format("%02d", h.hour());
                        bars.add(new Bar(label, date + " " + label + ":00", h.kwh(), compare.get(Integer.toString(h.hour())), null,
                                h.exportKwh()));
                    }
                    BarChart c = new BarChart("Hourly units on " + date.format(DAY_TITLE), "kWh", "This day",
                            "Same day a week before", bars);
                    return new Chart(c, base + "day&date=" + date.minusDays(1), date.isBefore(today) ? base + "day&date=" + date.plusDays(1) : null,
                            sumKwh(total.result()), sumCost(total.result()), date, date, total.result());
                });
            }
            case "year" -> {
                int year = date.getYear();
                Future<List<UsageService.Entry>> now = usage.monthly(meter, YearMonth.of(year, 1), YearMonth.of(year, 12));
                Future<List<UsageService.Entry>> before = usage.monthly(meter, YearMonth.of(year - 1, 1), YearMonth.of(year - 1, 12));
                return Future.all(now, before).map(v -> {
                    Map<Integer, Double> compare = new HashMap<>();
                    for (UsageService.Entry e : before.result()) {
                        compare.put(YearMonth.parse(e.period()).getMonthValue(), e.kwh());
                    }
                    List<Bar> bars = new ArrayList<>();
                    for (UsageService.Entry e : now.result()) {
                        YearMonth m = YearMonth.parse(e.period());
                        bars.add(new Bar(m.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH), e.period(), e.kwh(),
                                compare.get(m.getMonthValue()), base + "month&date=" + m.atDay(1), e.exportKwh()));
                    }
                    BarChart c = new BarChart("Monthly units in " + year, "kWh", Integer.toString(year), Integer.toString(year - 1), bars);
                    return new Chart(c, base + "year&date=" + (year - 1) + "-01-01",
                            year < today.getYear() ? base + "year&date=" + (year + 1) + "-01-01" : null,
                            sumKwh(now.result()), sumCost(now.result()), LocalDate.of(year, 1, 1), LocalDate.of(year, 12, 31), now.result());
                });
            }
            default -> {
                YearMonth month = YearMonth.from(date);
                Future<List<UsageService.Entry>> now = usage.daily(meter, month.atDay(1), month.atEndOfMonth());
                YearMonth previous = month.minusMonths(1);
                Future<List<UsageService.Entry>> before = usage.daily(meter, previous.atDay(1), previous.atEndOfMonth());
                return Future.all(now, before).map(v -> {
                    Map<Integer, Double> compare = new HashMap<>();
                    for (UsageService.Entry e : before.result()) {
                        compare.put(LocalDate.parse(e.period()).getDayOfMonth(), e.kwh());
                    }
                    List<Bar> bars = new ArrayList<>();
                    for (UsageService.Entry e : now.result()) {
                        LocalDate d = LocalDate.parse(e.period());
                        bars.add(new Bar(Integer.toString(d.getDayOfMonth()), d.format(DAY_TITLE), e.kwh(),
                                compare.get(d.getDayOfMonth()), base + "day&date=" + d, e.exportKwh()));
                    }
                    String name = month.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + month.getYear();
                    BarChart c = new BarChart("Daily units in " + name, "kWh", name,
                            previous.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + previous.getYear(), bars);
                    return new Chart(c, base + "month&date=" + previous.atDay(1),
                            month.isBefore(YearMonth.from(today)) ? base + "month&date=" + month.plusMonths(1).atDay(1) : null,
                            sumKwh(now.result()), sumCost(now.result()), month.atDay(1), month.atEndOfMonth(), now.result());
                });
            }
        }
    }

    private static double sumKwh(List<UsageService.Entry> entries) {
        return entries.stream().map(e -> java.math.BigDecimal.valueOf(e.kwh())).reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add).doubleValue();
    }

    private static double sumCost(List<UsageService.Entry> entries) {
        return entries.stream().map(e -> java.math.BigDecimal.valueOf(e.cost())).reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add).doubleValue();
    }

    private static LocalDate parseDate(String value, LocalDate today) {
        if (value == null || value.isBlank()) {
            return today;
        }
        try {
            LocalDate d = LocalDate.parse(value);
            if (d.getYear() < 2000 || d.isAfter(today)) {
                throw HttpError.badRequest("date must be a day from 2000 to today");
            }
            return d;
        } catch (DateTimeException e) {
            throw HttpError.badRequest("date must be a day such as 2026-11-14");
        }
    }

}
