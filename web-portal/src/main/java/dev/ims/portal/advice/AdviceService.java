package dev.ims.portal.advice;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.usage.HourUsage;
import dev.ims.portal.usage.UsageService;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bson.Document;

/**
 * Gathers what the {@link AdviceEngine} needs for one meter: its hourly units over the last
 * {@value #WINDOW_DAYS} complete days, the tariff in force today, and the median daily units of the other
 * meters of the fleet over the same days (each with at least {@value #MIN_FLEET_DAYS} days of data).
 */
public final class AdviceService {

    public static final int WINDOW_DAYS = 28;
    public static final int MIN_FLEET_DAYS = 14;

    /** Suggestions (or why there are none) and the currency their money is in. */
    public record Result(List<Suggestion> suggestions, String notEnoughData, String currency) {}

    private final MongoDatabase db;
    private final UsageService usage;
    private final AdviceEngine engine;

    public AdviceService(MongoDatabase db, UsageService usage, AdviceEngine engine) {
        this.db = db;
        this.usage = usage;
        this.engine = engine;
    }

    public Future<Result> advise(String meterId, LocalDate today) {
        LocalDate from = today.minusDays(WINDOW_DAYS);
        LocalDate to = today.minusDays(1);
        Future<List<HourUsage>> hours = usage.hours(meterId, from, to);
        Future<TariffBook> book = usage.tariffs().book();
        Future<double[]> fleet = fleetMedian(meterId, from, to);
        return Future.all(hours, book, fleet).map(v -> {
            var tariff = book.result().versionOn(today);
            double[] f = fleet.result();
            Advice a = engine.advise(new AdviceInput(hours.result(), tariff, f == null ? null : f[0], f == null ? 0 : (int) f[1]));
            return new Result(a.suggestions(), a.notEnoughData(), tariff.currency());
        });
    }

    /** {median daily kWh, number of meters}, or null when no other meter has enough days. */
    private Future<double[]> fleetMedian(String meterId, LocalDate from, LocalDate to) {
        return Mongo.list(db.getCollection(DAILY).aggregate(List.of(
                        Aggregates.match(Filters.and(Filters.ne(METER_ID, meterId), Filters.gte(DAY, from.toString()),
                                Filters.lte(DAY, to.toString()))),
                        Aggregates.group("$" + METER_ID, Accumulators.min("min", "$" + MIN_KWH), Accumulators.max("max", "$" + MAX_KWH),
                                Accumulators.sum("days", 1)))))
                .map(groups -> {
                    List<Double> perDay = new ArrayList<>();
                    for (Document g : groups) {
                        int days = ((Number) g.get("days")).intValue();
                        if (days >= MIN_FLEET_DAYS) {
                            perDay.add((((Number) g.get("max")).doubleValue() - ((Number) g.get("min")).doubleValue()) / days);
                        }
                    }
                    if (perDay.isEmpty()) {
                        return null;
                    }
                    Collections.sort(perDay);
                    int n = perDay.size();
                    double median = n % 2 == 1 ? perDay.get(n / 2) : (perDay.get(n / 2 - 1) + perDay.get(n / 2)) / 2;
                    return new double[] {median, n};
                });
    }
}
