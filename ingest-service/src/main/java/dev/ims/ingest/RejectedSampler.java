package dev.ims.ingest;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides which rejected payloads are stored: at most {@code perSourcePerMinute} from one source (the
 * topic's meter ID, else the topic) and {@code perMinute} in all, each a token bucket refilled
 * continuously. Every rejection is counted whatever this says; it only keeps a flood from filling the
 * disk. Sources are remembered least-recently-used first, at most {@value #MAX_SOURCES}, so the memory it
 * holds is bounded too. Writer thread only.
 */
final class RejectedSampler {

    static final int MAX_SOURCES = 100_000;

    private final Clock clock;
    private final int perSourcePerMinute;
    private final int perMinute;
    private final Bucket all;
    private final Map<String, Bucket> sources = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_SOURCES;
        }
    };

    RejectedSampler(int perSourcePerMinute, int perMinute, Clock clock) {
        this.clock = clock;
        this.perSourcePerMinute = perSourcePerMinute;
        this.perMinute = perMinute;
        this.all = new Bucket(perMinute, clock.millis());
    }

    /** Whether a rejection from {@code source} is stored now; takes a token from both buckets if so. */
    boolean store(String source) {
        long now = clock.millis();
        Bucket own = sources.computeIfAbsent(source, s -> new Bucket(perSourcePerMinute, now));
        own.refill(now, perSourcePerMinute);
        all.refill(now, perMinute);
        if (own.tokens < 1 || all.tokens < 1) {
            return false;
        }
        own.tokens--;
        all.tokens--;
        return true;
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(int capacity, long now) {
            this.tokens = capacity;
            this.at = now;
        }

        void refill(long now, int perMinute) {
            if (now > at) {
                tokens = Math.min(perMinute, tokens + (now - at) * perMinute / 60_000.0);
                at = now;
            }
        }
    }
}
