package dev.ims.portal.advice;

import dev.ims.portal.store.UsageRepository;
import dev.ims.store.DaySummary;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's mean daily units per meter over the advice window (the {@value AdviceService#WINDOW_DAYS} complete days
 * before today), read on a timer ({@link #PERIOD}) rather than per page view: reading every meter's days for every
 * dashboard was most of a dashboard's cost (19 × 28 day documents with 20 meters). A page is given the median of
 * every meter but its own from the newest snapshot; a snapshot older than {@link #PERIOD}, or of another day's window,
 * starts a refresh and is still served meanwhile. Only before the first snapshot does a caller wait for one.
 * Thread-safe.
 */
public final class FleetMedian {

    private static final Logger LOG = LoggerFactory.getLogger(FleetMedian.class);

    /** How often the fleet's days are read again (the window's days are complete days: they rarely change). */
    public static final Duration PERIOD = Duration.ofMinutes(1);

    /**
     * @param today the day the window ends before
     * @param perDay per meter (with at least {@value AdviceService#MIN_FLEET_DAYS} days of data) its mean daily kWh
     * @param sorted the same values, ascending
     */
    record Snapshot(LocalDate today, long takenAtNanos, Map<String, Double> perDay, double[] sorted) {

        /** {median daily kWh, number of meters} of every meter but {@code meterId}, or null when there is none. */
        double[] medianWithout(String meterId) {
            Double own = perDay.get(meterId);
            int skip = own == null ? -1 : Arrays.binarySearch(sorted, own);
            int n = sorted.length - (skip >= 0 ? 1 : 0);
            if (n == 0) {
                return null;
            }
            double median = n % 2 == 1 ? at(n / 2, skip) : (at(n / 2 - 1, skip) + at(n / 2, skip)) / 2;
            return new double[] {median, n};
        }

        /** The {@code i}th value of the sorted values without the one at {@code skip} (none when negative). */
        private double at(int i, int skip) {
            return sorted[skip >= 0 && i >= skip ? i + 1 : i];
        }
    }

    private final UsageRepository repository;
    private final Supplier<LocalDate> today;
    private final LongSupplier nanoTime;
    private volatile Snapshot latest;
    private volatile Future<Snapshot> running;
    /** The last refresh failed (logged once until one succeeds). */
    private volatile boolean failing;
    private Vertx vertx;
    private long timer = -1;

    public FleetMedian(UsageRepository repository, Supplier<LocalDate> today) {
        this(repository, today, System::nanoTime);
    }

    FleetMedian(UsageRepository repository, Supplier<LocalDate> today, LongSupplier nanoTime) {
        this.repository = repository;
        this.today = today;
        this.nanoTime = nanoTime;
    }

    /** Reads the fleet now and every {@link #PERIOD} until {@link #stop()}. */
    public FleetMedian start(Vertx vertx) {
        this.vertx = vertx;
        refresh();
        timer = vertx.setPeriodic(PERIOD.toMillis(), t -> refresh());
        return this;
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** {median daily kWh, number of meters} of the fleet but {@code meterId} over the window before {@code day}, or null. */
    public Future<double[]> without(String meterId, LocalDate day) {
        Snapshot s = latest;
        if (s == null) {
            return refresh().map(f -> f.medianWithout(meterId));
        }
        if (!s.today().equals(day) || nanoTime.getAsLong() - s.takenAtNanos() > PERIOD.toNanos()) {
            refresh();
        }
        return Future.succeededFuture(s.medianWithout(meterId));
    }

    /** Reads the fleet's days again (joins a read already running); a failed read keeps the last snapshot. */
    public synchronized Future<Snapshot> refresh() {
        Future<Snapshot> r = running;
        if (r != null && !r.isComplete()) {
            return r;
        }
        LocalDate day = today.get();
        long started = nanoTime.getAsLong();
        r = repository.fleetDays(day.minusDays(AdviceService.WINDOW_DAYS), day.minusDays(1)).map(byMeter -> snapshot(day, started, byMeter));
        r.onSuccess(s -> {
            latest = s;
            if (failing) {
                failing = false;
                LOG.info("Fleet median read again ({} meters)", s.perDay().size());
            }
        }).onFailure(e -> {
            if (!failing) {
                failing = true;
                LOG.warn("Fleet median not read (the last one is kept; retried every {} s): {}", PERIOD.toSeconds(), e.toString());
            }
        });
        running = r;
        return r;
    }

    private static Snapshot snapshot(LocalDate day, long takenAt, Map<String, List<DaySummary>> byMeter) {
        Map<String, Double> perDay = new HashMap<>();
        for (Map.Entry<String, List<DaySummary>> e : byMeter.entrySet()) {
            List<DaySummary> days = e.getValue();
            if (days.size() >= AdviceService.MIN_FLEET_DAYS) {
                double min = days.stream().mapToDouble(DaySummary::minKwh).min().orElseThrow();
                double max = days.stream().mapToDouble(DaySummary::maxKwh).max().orElseThrow();
                perDay.put(e.getKey(), (max - min) / days.size());
            }
        }
        double[] sorted = perDay.values().stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Snapshot(day, takenAt, Map.copyOf(perDay), sorted);
    }
}
