package dev.ims.portal.fleet;

import dev.ims.model.config.ConfigException;
import java.time.Duration;
import java.util.Map;

/**
 * The fleet index's and fleet view's settings.
 *
 * @param resync how often the index reloads every meter document, for the writes the ingest's change feed does not carry
 *     ({@code FLEET_RESYNC_SECONDS}, default {@value #DEFAULT_RESYNC_SECONDS}; 0: before every staff read instead, for
 *     small stores written behind the portal's back, e.g. tests)
 * @param poll how often the index reads the change feed ({@code FLEET_POLL_MILLIS}, default {@value #DEFAULT_POLL_MILLIS})
 * @param maxStreams live-update streams ({@code GET /api/v1/fleet/events}) open at once in this process
 *     ({@code FLEET_EVENT_STREAMS}, default {@value #DEFAULT_EVENT_STREAMS}; 0: none, the page then works without)
 * @param heartbeat how often an idle stream gets a comment, so proxies keep it open (15 s)
 * @param loadSample how often the fleet's load is sampled (60 s; a sample per minute is kept for 24 h)
 */
public record FleetOptions(Duration resync, Duration poll, int maxStreams, Duration heartbeat, Duration loadSample) {

    public static final String FLEET_RESYNC_SECONDS = "FLEET_RESYNC_SECONDS";
    public static final String FLEET_POLL_MILLIS = "FLEET_POLL_MILLIS";
    public static final String FLEET_EVENT_STREAMS = "FLEET_EVENT_STREAMS";
    public static final int DEFAULT_RESYNC_SECONDS = 600;
    public static final int DEFAULT_POLL_MILLIS = 1000;
    public static final int DEFAULT_EVENT_STREAMS = 100;
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_LOAD_SAMPLE = Duration.ofMinutes(1);

    public static final FleetOptions DEFAULTS = new FleetOptions(Duration.ofSeconds(DEFAULT_RESYNC_SECONDS),
            Duration.ofMillis(DEFAULT_POLL_MILLIS), DEFAULT_EVENT_STREAMS, DEFAULT_HEARTBEAT, DEFAULT_LOAD_SAMPLE);

    public FleetOptions {
        if (resync.isNegative() || poll.isNegative() || poll.isZero() || heartbeat.isNegative() || heartbeat.isZero()
                || loadSample.isNegative() || loadSample.isZero() || maxStreams < 0) {
            throw new IllegalArgumentException("fleet options out of range: " + resync + ", " + poll + ", " + maxStreams);
        }
    }

    public static FleetOptions load(Map<String, String> env) {
        return new FleetOptions(Duration.ofSeconds(whole(env, FLEET_RESYNC_SECONDS, DEFAULT_RESYNC_SECONDS, 0, 86_400)),
                Duration.ofMillis(whole(env, FLEET_POLL_MILLIS, DEFAULT_POLL_MILLIS, 100, 60_000)),
                (int) whole(env, FLEET_EVENT_STREAMS, DEFAULT_EVENT_STREAMS, 0, 10_000), DEFAULT_HEARTBEAT, DEFAULT_LOAD_SAMPLE);
    }

    public FleetOptions withResync(Duration d) {
        return new FleetOptions(d, poll, maxStreams, heartbeat, loadSample);
    }

    public FleetOptions withPoll(Duration d) {
        return new FleetOptions(resync, d, maxStreams, heartbeat, loadSample);
    }

    public FleetOptions withMaxStreams(int n) {
        return new FleetOptions(resync, poll, n, heartbeat, loadSample);
    }

    public FleetOptions withHeartbeat(Duration d) {
        return new FleetOptions(resync, poll, maxStreams, d, loadSample);
    }

    public FleetOptions withLoadSample(Duration d) {
        return new FleetOptions(resync, poll, maxStreams, heartbeat, d);
    }

    private static long whole(Map<String, String> env, String name, long byDefault, long min, long max) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return byDefault;
        }
        try {
            long v = Long.parseLong(raw.strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(name + " must be a whole number from " + min + " to " + max + ", got '" + raw + "'");
    }
}
