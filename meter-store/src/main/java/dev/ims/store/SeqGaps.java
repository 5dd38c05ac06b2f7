package dev.ims.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Missing seq ranges from the seq bitmaps of a meter's days (merged), from seq 0 to the highest seq stored. */
public final class SeqGaps {

    /** A missing range {@code fromSeq..toSeq}, both included. */
    public record Gap(long fromSeq, long toSeq) {
        public long count() {
            return toSeq - fromSeq + 1;
        }
    }

    /** @param truncated whether more than {@code max} gaps exist (the first {@code max} are listed) */
    public record Result(List<Gap> gaps, boolean truncated) {}

    private final Map<Long, Long> blocks = new TreeMap<>();

    /** Adds a day's bitmap (the same seq in two days, or twice, counts once). */
    public SeqGaps add(Map<Long, Long> bits) {
        bits.forEach((block, b) -> blocks.merge(block, b, (x, y) -> x | y));
        return this;
    }

    /** The gaps, oldest first, at most {@code max}. */
    public Result gaps(int max) {
        List<Gap> out = new ArrayList<>();
        long expected = 0;
        for (Map.Entry<Long, Long> e : blocks.entrySet()) {
            long base = e.getKey() * 64;
            long bits = e.getValue();
            while (bits != 0) {
                long seq = base + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (seq > expected) {
                    if (out.size() == max) {
                        return new Result(out, true);
                    }
                    out.add(new Gap(expected, seq - 1));
                }
                expected = Math.max(expected, seq + 1);
            }
        }
        return new Result(out, false);
    }
}
