package dev.ims.portal.usage;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.usage.DayRegister;
import dev.ims.model.usage.PeriodUsage;
import dev.ims.model.usage.UsageCalculator;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/** Usage per day or month from {@code rollups_daily}, priced. Days and months are in the configured zone. */
public final class UsageService {

    /** One row of the usage API. */
    public record Entry(String period, double kwh, double cost, String currency, double fromKwh, double toKwh, boolean complete) {}

    private final MongoDatabase db;
    private final Tariff tariff;
    private final ZoneId zone;
    private final Clock clock;

    public UsageService(MongoDatabase db, Tariff tariff, ZoneId zone, Clock clock) {
        this.db = db;
        this.tariff = tariff;
        this.zone = zone;
        this.clock = clock;
    }

    public LocalDate today() {
        return LocalDate.now(clock.withZone(zone));
    }

    public Future<List<Entry>> daily(String meterId, LocalDate from, LocalDate to) {
        return days(meterId, from, to).map(days -> {
            List<Entry> out = new ArrayList<>(days.size());
            for (PeriodUsage d : days) {
                out.add(new Entry(d.period(), d.kwh(), tariff.cost(LocalDate.parse(d.period()), d.kwh()), tariff.currency(),
                        d.fromKwh(), d.toKwh(), d.complete()));
            }
            return out;
        });
    }

    /** Months from their days, and each month's cost as the sum of its days' costs, so the two always agree. */
    public Future<List<Entry>> monthly(String meterId, YearMonth from, YearMonth to) {
        return days(meterId, from.atDay(1), to.atEndOfMonth()).map(days -> {
            Map<String, Double> costs = new LinkedHashMap<>();
            for (PeriodUsage d : days) {
                costs.merge(d.period().substring(0, 7), tariff.cost(LocalDate.parse(d.period()), d.kwh()), Double::sum);
            }
            List<Entry> out = new ArrayList<>();
            for (PeriodUsage m : UsageCalculator.monthly(days, today())) {
                out.add(new Entry(m.period(), m.kwh(), Tariff.roundCents(costs.get(m.period())), tariff.currency(),
                        m.fromKwh(), m.toKwh(), m.complete()));
            }
            return out;
        });
    }

    private Future<List<PeriodUsage>> days(String meterId, LocalDate from, LocalDate to) {
        Future<List<Document>> before = Mongo.list(db.getCollection(DAILY)
                .find(Filters.and(Filters.eq(METER_ID, meterId), Filters.lt(DAY, from.toString())))
                .sort(Sorts.descending(DAY)).limit(1));
        Future<List<Document>> inRange = Mongo.list(db.getCollection(DAILY)
                .find(Filters.and(Filters.eq(METER_ID, meterId), Filters.gte(DAY, from.toString()), Filters.lte(DAY, to.toString())))
                .sort(Sorts.ascending(DAY)));
        return Future.all(before, inRange).map(all -> {
            List<DayRegister> regs = new ArrayList<>();
            for (Document d : before.result()) {
                regs.add(register(d));
            }
            for (Document d : inRange.result()) {
                regs.add(register(d));
            }
            return UsageCalculator.daily(regs, from, to, today());
        });
    }

    private static DayRegister register(Document d) {
        return new DayRegister(LocalDate.parse(d.getString(DAY)), ((Number) d.get(MIN_KWH)).doubleValue(),
                ((Number) d.get(MAX_KWH)).doubleValue());
    }
}
