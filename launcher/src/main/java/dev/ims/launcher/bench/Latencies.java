package dev.ims.launcher.bench;

import java.util.Arrays;

/** Latencies in microseconds, recorded from any thread; percentiles at the end. Bounded: keeps at most {@code capacity}. */
final class Latencies {

    private final long[] values;
    private int size;

    Latencies(int capacity) {
        values = new long[capacity];
    }

    synchronized void add(long micros) {
        if (size < values.length) {
            values[size++] = micros;
        }
    }

    synchronized int count() {
        return size;
    }

    /** The {@code p}-th percentile (0..100) in milliseconds, or NaN when empty. */
    synchronized double percentileMillis(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * size) - 1;
        return sorted[Math.max(0, Math.min(size - 1, index))] / 1000.0;
    }
}
