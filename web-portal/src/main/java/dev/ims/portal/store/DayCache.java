package dev.ims.portal.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ims.store.DaySummary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import io.vertx.core.Future;

/**
 * Decoded day documents per meter, kept for the usage figures (a dashboard reads the same days several times, for its
 * chart, its month outlook and its advice, and every view of it reads them again).
 *
 * <p>Never stale: the days of a meter are kept under its meter document's {@link Version} (newest reading received,
 * highest seq, oldest and newest reading time). The ingest writes the meter document after the day documents of the
 * same readings, and every write that changes a day document changes {@code lastSeen}; the reader reads the version
 * before the days, so days kept under a version are at least as new as it, and a newer version drops them all (a
 * late reading may land in any past day). Days without data are kept too (as empty), so a range is read only once.
 * Figures computed from a meter's days (priced days, hourly units) are kept beside them under the same version.
 *
 * <p>Bounded by the number of days held ({@code USAGE_CACHE_DAYS}), least recently used meters first, and a meter not
 * read for {@link #IDLE} is dropped. Thread-safe.
 */
final class DayCache {

    /** A meter not read for this long is dropped (its days are cheap to read again; memory is not). */
    static final Duration IDLE = Duration.ofMinutes(10);

    /**
     * What a meter document says about the readings stored: any change means some day document may have changed.
     * The raw stored values (dates, numbers), compared with {@code equals}; null fields are allowed.
     */
    record Version(Object lastSeen, Object lastSeq, Object firstReadingTs, Object lastReadingTs, Object rev) {}

    /** The days of one meter read under one version, per part read (a part's summaries hold only what it projects). */
    static final class MeterDays {
        final Version version;
        private final Map<UsageRepository.Part, Map<LocalDate, Optional<DaySummary>>> parts = new EnumMap<>(UsageRepository.Part.class);
        /** Figures computed from these days (priced days, hourly units...), by what was asked; running ones too. */
        final Map<Object, Future<?>> derived = new ConcurrentHashMap<>();
        /** What the days and figures held weigh, in days with their hours (see {@link DayCache#weight(Optional)}). */
        private final AtomicInteger weight = new AtomicInteger(1);

        MeterDays(Version version) {
            this.version = version;
        }

        /** The part's days known so far: a summary, or empty for a day known to have no data. */
        synchronized Map<LocalDate, Optional<DaySummary>> part(UsageRepository.Part part) {
            return parts.computeIfAbsent(part, p -> new ConcurrentHashMap<>());
        }

        void addWeight(int days) {
            weight.addAndGet(days);
        }

        int weight() {
            return weight.get();
        }
    }

    /**
     * What a kept day weighs: 1 for a day (or a day known to have no data), and a day more for every 24 spans it holds (a
     * day with its hours weighs 2, about 2.5 KB decoded; with its quarter hours 5).
     */
    static int weight(Optional<DaySummary> day) {
        return day.map(d -> 1 + (d.hours().size() + d.quarters().size() + 23) / 24).orElse(1);
    }

    private final Cache<String, MeterDays> meters;
    private volatile Counter hits;
    private volatile Counter misses;
    private volatile Counter figureHits;
    private volatile Counter figureMisses;

    /** @param maxDays the days (and meters) held at most; above it the least recently used meters go */
    DayCache(long maxDays) {
        this.meters = Caffeine.newBuilder().maximumWeight(maxDays).weigher((String id, MeterDays d) -> d.weight())
                .expireAfterAccess(IDLE).build();
    }

    /**
     * Counts the days served from memory and those read ({@code ims_portal_usage_days_total{result="hit"|"miss"}}), and
     * the figures served from memory and those computed ({@code ims_portal_usage_figures_total{result=...}}).
     */
    DayCache bindTo(MeterRegistry registry) {
        figureHits = Counter.builder("ims.portal.usage.figures").tag("result", "hit").description("usage figures served from the portal's cache")
                .register(registry);
        figureMisses = Counter.builder("ims.portal.usage.figures").tag("result", "miss").description("usage figures computed")
                .register(registry);
        hits = Counter.builder("ims.portal.usage.days").tag("result", "hit").description("day summaries served from the portal's cache")
                .register(registry);
        misses = Counter.builder("ims.portal.usage.days").tag("result", "miss").description("day summaries read from the store")
                .register(registry);
        return this;
    }

    void countedFigure(boolean hit) {
        Counter c = hit ? figureHits : figureMisses;
        if (c != null) {
            c.increment();
        }
    }

    void counted(int hit, int missed) {
        Counter h = hits;
        if (h != null) {
            h.increment(hit);
            misses.increment(missed);
        }
    }

    /** The meter's days kept under {@code version}; a fresh, empty set (replacing older ones) when there are none. */
    MeterDays current(String meterId, Version version) {
        MeterDays kept = meters.getIfPresent(meterId);
        if (kept != null && kept.version.equals(version)) {
            return kept;
        }
        MeterDays fresh = new MeterDays(version);
        meters.put(meterId, fresh);
        return fresh;
    }

    /** Weighs {@code days} again after days were added to it (if it is still the meter's current set). */
    void grown(String meterId, MeterDays days) {
        meters.asMap().replace(meterId, days, days);
    }

    /** The weight held now, after pending evictions ran (for tests and diagnostics). */
    long weightHeld() {
        meters.cleanUp();
        return meters.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    /** Drops every meter's days (a migration or repair wrote behind the ingest's back). */
    void clear() {
        meters.invalidateAll();
    }
}
