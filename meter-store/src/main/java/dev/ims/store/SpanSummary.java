package dev.ims.store;

import static dev.ims.model.storage.StoreSchema.*;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;

/**
 * The register ranges of one span (an hour or a quarter hour) as a day document keeps them.
 *
 * @param start the span's first instant
 * @param minExportKwh null when no reading of the span carried an export register (and then {@code maxExportKwh} too)
 * @param circuits per circuit ID its register's {min, max} in the span (hours only)
 */
public record SpanSummary(Instant start, double minKwh, double maxKwh, Double minExportKwh, Double maxExportKwh,
        Map<String, double[]> circuits) {

    static SpanSummary from(String key, Document d) {
        Map<String, double[]> circuits = new TreeMap<>();
        if (d.get(CIRCUITS) instanceof Document c) {
            c.forEach((id, range) -> {
                if (range instanceof Document r && r.get(MIN_KWH) instanceof Number min && r.get(MAX_KWH) instanceof Number max) {
                    circuits.put(id, new double[] {min.doubleValue(), max.doubleValue()});
                }
            });
        }
        Double maxExport = d.get(MAX_EXPORT_KWH) instanceof Number n ? n.doubleValue() : null;
        Double minExport = maxExport == null ? null : d.get(MIN_EXPORT_KWH) instanceof Number n ? Math.min(n.doubleValue(), maxExport) : maxExport;
        return new SpanSummary(Instant.parse(key), ((Number) d.get(MIN_KWH)).doubleValue(), ((Number) d.get(MAX_KWH)).doubleValue(),
                minExport, maxExport, Collections.unmodifiableMap(circuits));
    }
}
