package dev.ims.portal.broker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last hour of the broker's and each ingest instance's figures, one sample per interval ({@link #record}), for
 * the sparklines and the dropped-messages alarm. Pure (no clock, no I/O) and thread-safe.
 */
public final class PipelineHistory {

    public static final Duration SPAN = Duration.ofHours(1);

    /** One sample of the broker's figures; null where the broker had not said. */
    public record BrokerSample(Instant at, Long clientsConnected, Double receivedPerSecond, Double sentPerSecond, Long messagesDropped,
            Long messagesStored) {}

    /** One sample of an ingest instance's figures. */
    public record IngestSample(Instant at, Double ratePerSecond, Double lagSeconds, Double rejectedPerMinute, Double writeLatencyMeanMs) {}

    private final Duration interval;
    private final int capacity;
    private final ArrayDeque<BrokerSample> broker = new ArrayDeque<>();
    private final Map<String, ArrayDeque<IngestSample>> ingest = new LinkedHashMap<>();

    /** @param interval how often {@link #record} is called; an hour of samples is kept */
    public PipelineHistory(Duration interval) {
        this.interval = interval;
        this.capacity = (int) Math.max(2, SPAN.toMillis() / interval.toMillis());
    }

    public Duration interval() {
        return interval;
    }

    /**
     * Adds a sample of the broker (when {@code figures} is not null: a monitor is configured) and one of every live
     * instance in {@code instances}; drops what is older than an hour, instances with no sample left included.
     */
    public synchronized void record(Instant at, BrokerFigures figures, Collection<IngestFigures> instances) {
        if (figures != null) {
            add(broker, new BrokerSample(at, figures.clientsConnected(), figures.receivedPerSecond(), figures.sentPerSecond(),
                    figures.messagesDropped(), figures.messagesStored()), at);
        }
        for (IngestFigures i : instances) {
            if (i.alive()) {
                add(ingest.computeIfAbsent(i.instance(), k -> new ArrayDeque<>()),
                        new IngestSample(at, i.ratePerSecond(), i.lagSeconds(), i.rejectedPerMinute(), i.writeLatencyMeanMs()), at);
            }
        }
        for (ArrayDeque<IngestSample> q : ingest.values()) {
            while (!q.isEmpty() && q.peekFirst().at().isBefore(at.minus(SPAN))) {
                q.removeFirst();
            }
        }
        ingest.values().removeIf(ArrayDeque::isEmpty);
    }

    private <T> void add(ArrayDeque<T> q, T sample, Instant at) {
        q.addLast(sample);
        while (q.size() > capacity) {
            q.removeFirst();
        }
    }

    public synchronized List<BrokerSample> broker() {
        return List.copyOf(broker);
    }

    /** Each instance's samples, oldest first. */
    public synchronized Map<String, List<IngestSample>> ingest() {
        Map<String, List<IngestSample>> out = new LinkedHashMap<>();
        ingest.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    /**
     * How many more messages the broker had dropped at its latest sample than at the last sample at least {@code window}
     * before it (or the oldest one, when the history is younger); 0 without two samples. A total that went down (the
     * broker restarted) counts from 0.
     */
    public synchronized long droppedWithin(Duration window) {
        List<BrokerSample> samples = new ArrayList<>(broker);
        samples.removeIf(s -> s.messagesDropped() == null);
        if (samples.size() < 2) {
            return 0;
        }
        BrokerSample last = samples.get(samples.size() - 1);
        Instant from = last.at().minus(window);
        long increase = 0;
        // Summed step by step, so that a broker restart inside the window (total back to 0) still counts what it dropped.
        BrokerSample previous = null;
        for (BrokerSample s : samples) {
            if (previous != null && !s.at().isBefore(from)) {
                long step = s.messagesDropped() - previous.messagesDropped();
                increase += step >= 0 ? step : s.messagesDropped();
            }
            previous = s;
        }
        return increase;
    }
}
