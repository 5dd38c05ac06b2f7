package dev.ims.portal.advice;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.portal.circuit.CircuitControlService;
import dev.ims.portal.circuit.CircuitService;
import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.tariff.HourUsage;
import dev.ims.portal.usage.UsageService;
import io.vertx.core.Future;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * Gathers what the {@link AdviceEngine} needs for one meter: its hourly units over the last
 * {@value #WINDOW_DAYS} complete days, the tariff in force today, and the median daily units of the other
 * meters of the fleet over the same days (each with at least {@value #MIN_FLEET_DAYS} days of data; {@link FleetMedian},
 * read on a timer).
 */
public final class AdviceService {

    public static final int WINDOW_DAYS = 28;
    public static final int MIN_FLEET_DAYS = 14;

    /** Suggestions (or why there are none) and the currency their money is in. */
    public record Result(List<Suggestion> suggestions, String notEnoughData, String currency) {}

    private final UsageService usage;
    private final AdviceEngine engine;
    private final FleetMedian fleet;
    private volatile CircuitService circuits;

    /** With a fleet median read when first asked and again when older than {@link FleetMedian#PERIOD}. */
    public AdviceService(UsageService usage, AdviceEngine engine) {
        this(usage, engine, new FleetMedian(usage.repository(), usage::today));
    }

    /** @param fleet the fleet's median (the portal's, refreshed on its timer) */
    public AdviceService(UsageService usage, AdviceEngine engine, FleetMedian fleet) {
        this.usage = usage;
        this.engine = engine;
        this.fleet = fleet;
    }

    /** With circuit data: a load-shift suggestion names the circuit behind it and offers its schedule. */
    public AdviceService withCircuits(CircuitService circuits) {
        this.circuits = circuits;
        return this;
    }

    /** Advice without circuit data. */
    public Future<Result> advise(String meterId, LocalDate today) {
        return advise(new Document(ID, meterId), today);
    }

    /** Advice for the meter document given (its circuit descriptions, if any, are used with {@link #withCircuits}). */
    public Future<Result> advise(Document meter, LocalDate today) {
        String meterId = meter.getString(ID);
        LocalDate from = today.minusDays(WINDOW_DAYS);
        LocalDate to = today.minusDays(1);
        Future<List<HourUsage>> hours = usage.hours(meter, from, to);
        Future<TariffBook> book = usage.tariffs().book();
        Future<double[]> fleet = this.fleet.without(meterId, today);
        List<Document> infos = CircuitService.descriptions(meter);
        CircuitService c = circuits;
        Future<Map<String, List<HourUsage>>> circuitHours = c == null || infos.isEmpty() ? Future.succeededFuture(Map.of())
                : c.hours(meterId, from, to);
        return Future.all(hours, book, fleet, circuitHours).map(v -> {
            var tariff = book.result().versionOn(today);
            double[] f = fleet.result();
            List<CircuitUsage> circuitUsage = new ArrayList<>();
            for (Document info : infos) {
                String id = info.getString(CIRCUIT_ID);
                circuitUsage.add(new CircuitUsage(id, info.getString(NAME), Boolean.TRUE.equals(info.getBoolean(SWITCHABLE)),
                        Boolean.TRUE.equals(info.getBoolean(CRITICAL)), circuitHours.result().getOrDefault(id, List.of())));
            }
            Advice a = engine.advise(new AdviceInput(hours.result(), tariff, f == null ? null : f[0], f == null ? 0 : (int) f[1],
                    circuitUsage));
            return new Result(a.suggestions(), a.notEnoughData(), tariff.currency());
        });
    }

    /**
     * What the advice estimates moving {@code circuitId}'s peak-band use into {@code preset}'s hours saves (a month, and on
     * the circuit's last complete day), or null when today's advice offers no such action.
     */
    public Future<CircuitControlService.Estimate> estimatedSaving(Document meter, String circuitId, String preset, LocalDate today) {
        return advise(meter, today).map(r -> r.suggestions().stream().map(Suggestion::action)
                .filter(a -> a != null && a.circuit().equals(circuitId) && a.preset().equals(preset))
                .map(a -> a.lastDay() == null ? new CircuitControlService.Estimate(a.estimatedSavingPerMonth(), null, null, null, null)
                        : new CircuitControlService.Estimate(a.estimatedSavingPerMonth(), a.lastDay().day(), a.lastDay().kwh(),
                                a.lastDay().cost(), a.lastDay().costInPresetHours()))
                .findFirst().orElse(null));
    }
}
