package dev.ims.portal.alarm;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.web.Mongo;
import dev.ims.store.StoreLayout;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * {@code ABNORMAL_CONSUMPTION}'s judgements: each meter's last complete local day ({@link ConsumptionPattern}) from its day
 * documents ({@code rollups_daily}), read by exact {@code _id}s with only the registers projected (31 small documents a
 * meter). Each meter is judged once per day, in the sweep of its slot: the meters are spread over the sweeps of the first
 * {@link #WINDOW} after local midnight by a hash of their ID, and one sweep judges at most {@link #perSweep} of them, so
 * 10 000 meters never land in one sweep (a portal started late in the day catches up over its next sweeps). What was
 * judged is remembered per portal instance; two instances judging the same meter write the same record (idempotent).
 */
final class AbnormalConsumption {

    /** The part of the day over which the judgements of the day before are spread. */
    static final Duration WINDOW = Duration.ofHours(6);
    private static final int MIN_PER_SWEEP = 50;

    private final MongoDatabase db;
    private final ZoneId zone;
    private final Duration sweep;
    /** Per meter, the day last judged. Sweeper only (one sweep at a time). */
    private final Map<String, LocalDate> judged = new java.util.concurrent.ConcurrentHashMap<>();

    AbnormalConsumption(MongoDatabase db, ZoneId zone, Duration sweep) {
        this.db = db;
        this.zone = zone;
        this.sweep = sweep;
    }

    ZoneId zone() {
        return zone;
    }

    /** The day to judge at {@code now}: yesterday, locally. */
    LocalDate day(Instant now) {
        return now.atZone(zone).toLocalDate().minusDays(1);
    }

    /** At most this many meters are judged in one sweep, for a fleet of {@code meters}. */
    int perSweep(int meters) {
        long slots = Math.max(1, WINDOW.toMillis() / sweep.toMillis());
        return (int) Math.max(MIN_PER_SWEEP, (meters + slots - 1) / slots * 4);
    }

    /** Of {@code meters}, those whose slot has come at {@code now} and that were not judged for {@link #day} yet (bounded). */
    List<String> due(List<String> meters, Instant now) {
        LocalDate day = day(now);
        long slots = Math.max(1, WINDOW.toMillis() / sweep.toMillis());
        Instant midnight = day.plusDays(1).atStartOfDay(zone).toInstant();
        long current = Duration.between(midnight, now).toMillis() / sweep.toMillis();
        int max = perSweep(meters.size());
        List<String> out = new ArrayList<>();
        for (String m : meters) {
            if (Math.floorMod(m.hashCode(), slots) <= current && !day.equals(judged.get(m))) {
                out.add(m);
                if (out.size() >= max) {
                    break;
                }
            }
        }
        return out;
    }

    /** Remembers {@code meter} as judged for {@code day}. */
    void markJudged(String meter, LocalDate day) {
        judged.put(meter, day);
    }

    /** Judges {@code meters} for {@code day} (remembering them as judged): a judgement per meter with enough history. */
    Future<Map<String, ConsumptionPattern.Judgement>> judge(List<String> meters, LocalDate day) {
        if (meters.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        LocalDate first = day.minusDays(ConsumptionPattern.BASIS_DAYS + 1);
        List<String> ids = new ArrayList<>();
        for (String m : meters) {
            ids.addAll(StoreLayout.dayIds(m, first, day));
        }
        return Mongo.list(db.getCollection(StoreLayout.DAYS).find(Filters.in(ID, ids))
                        .projection(new Document(METER_ID, 1).append(DAY, 1).append(MIN_KWH, 1).append(MAX_KWH, 1)))
                .map(docs -> {
                    Map<String, Map<LocalDate, double[]>> byMeter = new HashMap<>();
                    for (Document d : docs) {
                        if (d.get(MIN_KWH) instanceof Number min && d.get(MAX_KWH) instanceof Number max) {
                            byMeter.computeIfAbsent(d.getString(METER_ID), k -> new HashMap<>())
                                    .put(LocalDate.parse(d.getString(DAY)), new double[] {min.doubleValue(), max.doubleValue()});
                        }
                    }
                    Map<String, ConsumptionPattern.Judgement> out = new HashMap<>();
                    for (String m : meters) {
                        markJudged(m, day);
                        Map<LocalDate, double[]> days = byMeter.getOrDefault(m, Map.of());
                        Double kwh = kwh(days, day);
                        if (kwh == null) {
                            continue;
                        }
                        List<Double> basis = new ArrayList<>();
                        for (LocalDate d = day.minusDays(ConsumptionPattern.BASIS_DAYS); d.isBefore(day); d = d.plusDays(1)) {
                            Double v = kwh(days, d);
                            if (v != null) {
                                basis.add(v);
                            }
                        }
                        ConsumptionPattern.Judgement j = ConsumptionPattern.judge(day, kwh, basis);
                        if (j != null) {
                            out.put(m, j);
                        }
                    }
                    return out;
                });
    }

    /** A day's kWh: its highest register minus the day before's (or its own lowest, without one); null without data. */
    static Double kwh(Map<LocalDate, double[]> days, LocalDate day) {
        double[] d = days.get(day);
        if (d == null) {
            return null;
        }
        double[] before = days.get(day.minusDays(1));
        return Math.max(0, d[1] - (before != null ? before[1] : d[0]));
    }
}
