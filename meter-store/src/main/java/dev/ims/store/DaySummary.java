package dev.ims.store;

import static dev.ims.model.storage.StoreSchema.*;
import static dev.ims.store.StoreLayout.*;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;

/**
 * A day document decoded: the day's register ranges, its hours and quarter hours in time order, its seqs.
 *
 * @param minExportKwh null when no reading of the day carried an export register
 * @param circuits per circuit ID its register's {min, max} over the day
 * @param seqBits the day's seqs: block ({@code seq / 64}) to bits ({@code 1 << seq % 64})
 */
public record DaySummary(String meterId, LocalDate day, double minKwh, double maxKwh, Instant firstTs, Instant lastTs,
        Double minExportKwh, Double maxExportKwh, Map<String, double[]> circuits, List<SpanSummary> hours, List<SpanSummary> quarters,
        Map<Long, Long> seqBits) {

    /** Decodes a day document as {@link BatchWrites} writes it. */
    public static DaySummary from(Document d) {
        SpanSummary whole = SpanSummary.from(Instant.EPOCH.toString(), d);
        Map<Long, Long> bits = new TreeMap<>();
        if (d.get(SEQ_BITS) instanceof Document s) {
            s.forEach((block, flags) -> {
                long b = 0;
                for (String bit : ((Document) flags).keySet()) {
                    b |= 1L << Integer.parseInt(bit);
                }
                bits.put(Long.parseLong(block), b);
            });
        }
        return new DaySummary(d.getString(METER_ID), LocalDate.parse(d.getString(DAY)), whole.minKwh(), whole.maxKwh(),
                d.getDate(FIRST_TS) == null ? null : d.getDate(FIRST_TS).toInstant(),
                d.getDate(LAST_TS) == null ? null : d.getDate(LAST_TS).toInstant(), whole.minExportKwh(), whole.maxExportKwh(),
                whole.circuits(), spans(d.get(HOURS)), spans(d.get(QUARTERS)), Collections.unmodifiableMap(bits));
    }

    private static List<SpanSummary> spans(Object field) {
        if (!(field instanceof Document spans)) {
            return List.of();
        }
        List<SpanSummary> out = new ArrayList<>(spans.size());
        new TreeMap<>(spans).forEach((key, v) -> out.add(SpanSummary.from(key, (Document) v)));
        out.sort((a, b) -> a.start().compareTo(b.start()));
        return Collections.unmodifiableList(out);
    }
}
