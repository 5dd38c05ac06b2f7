package dev.ims.launcher.bench;

import static dev.ims.model.storage.StoreSchema.DAY;
import static dev.ims.model.storage.StoreSchema.ID;
import static dev.ims.model.storage.StoreSchema.MAX_KWH;
import static dev.ims.model.storage.StoreSchema.METER_ID;
import static dev.ims.model.storage.StoreSchema.MIN_KWH;
import static dev.ims.model.storage.StoreSchema.SEQ;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.DaySummary;
import dev.ims.store.StoreLayout;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import reactor.core.publisher.Flux;

/**
 * What the store holds of the readings the bench published, read the way the storage layout allows it cheaply: per
 * meter, the seq flags of its day documents ({@code _id $in} the days its readings' times cover, projection {@code s}
 * and the few top-level fields {@link DaySummary} decodes), never a count of {@code readings} documents (they are hour buckets). Duplicates cannot exist in that layout (a
 * reading lives under its seq in its hour's bucket), which {@link #duplicatesIn} checks on one sample meter by reading
 * its buckets. Blocking; for the bench's own thread.
 */
final class StoredSeqs {

    /**
     * @param published readings acknowledged by the broker (PUBACK)
     * @param stored of those, the ones whose seq the store holds
     * @param lost published but absent
     * @param lostExamples up to 5 of them, {@code meterId#seq}
     */
    record Count(long published, long stored, long lost, List<String> lostExamples) {}

    /** @param readings entries under {@code r.<seq>} in the meter's buckets; @param distinct distinct seqs among them */
    record Duplicates(long readings, long distinct) {
        long duplicated() {
            return readings - distinct;
        }
    }

    private static final int CHUNK = 500;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final MongoDatabase db;
    private final UsageCalendar calendar;

    StoredSeqs(MongoDatabase db, UsageCalendar calendar) {
        this.db = db;
        this.calendar = calendar;
    }

    /**
     * Compares what each meter published ({@code published}: meter ID to the seqs acknowledged) with the seqs its day
     * documents hold for the days {@code from..to} (the days of the readings' times).
     */
    Count count(Map<String, BitSet> published, Instant from, Instant to) {
        LocalDate first = calendar.dayOf(from);
        LocalDate last = calendar.dayOf(to);
        List<String> ids = new ArrayList<>();
        for (String meter : published.keySet()) {
            ids.addAll(StoreLayout.dayIds(meter, first, last));
        }
        Map<String, BitSet> present = new HashMap<>();
        for (int i = 0; i < ids.size(); i += CHUNK) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + CHUNK));
            List<Document> days = Flux.from(db.getCollection(StoreLayout.DAYS).find(Filters.in(ID, chunk))
                    .projection(Projections.include(METER_ID, DAY, MIN_KWH, MAX_KWH,
                            StoreLayout.SEQ_BITS))).collectList().block(TIMEOUT);
            for (Document d : days) {
                BitSet bits = present.computeIfAbsent(d.getString(METER_ID), k -> new BitSet());
                DaySummary.from(d).seqBits().forEach((block, flags) -> {
                    for (long f = flags; f != 0; f &= f - 1) {
                        bits.set((int) (block * 64 + Long.numberOfTrailingZeros(f)));
                    }
                });
            }
        }
        long all = 0;
        long stored = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, BitSet> e : published.entrySet()) {
            BitSet sent = e.getValue();
            BitSet there = present.getOrDefault(e.getKey(), new BitSet());
            all += sent.cardinality();
            BitSet missing = (BitSet) sent.clone();
            missing.andNot(there);
            stored += sent.cardinality() - missing.cardinality();
            for (int s = missing.nextSetBit(0); s >= 0 && examples.size() < 5; s = missing.nextSetBit(s + 1)) {
                examples.add(e.getKey() + "#" + s);
            }
        }
        return new Count(all, stored, all - stored, examples);
    }

    /** The readings in {@code meterId}'s hour buckets covering {@code from..to}, against their distinct seqs. */
    Duplicates duplicatesIn(String meterId, Instant from, Instant to) {
        List<String> ids = StoreLayout.hourBucketIds(meterId, from, to.plusSeconds(1), calendar);
        long readings = 0;
        Set<Long> seqs = new HashSet<>();
        for (int i = 0; i < ids.size(); i += CHUNK) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + CHUNK));
            List<Document> buckets = Flux.from(db.getCollection(StoreLayout.READINGS).find(Filters.in(ID, chunk))
                    .projection(Projections.include(StoreLayout.READINGS_BY_SEQ))).collectList().block(TIMEOUT);
            for (Document b : buckets) {
                if (b.get(StoreLayout.READINGS_BY_SEQ) instanceof Document bySeq) {
                    for (Object r : bySeq.values()) {
                        readings++;
                        seqs.add(((Number) ((Document) r).get(SEQ)).longValue());
                    }
                }
            }
        }
        return new Duplicates(readings, seqs.size());
    }
}
