package dev.ims.portal.fleet;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A page of the fleet: {@code total} meters in the index, {@code matched} by the query, the counts per state over the
 * whole fleet (keyed by {@link FleetState#key()}), and this page's entries in order.
 */
public record FleetPage(int total, int matched, int page, int size, Map<String, Long> counts, List<FleetEntry> items) {

    /** Pages of {@code size} the matched meters fill (at least 1). */
    public int pages() {
        return Math.max(1, (matched + size - 1) / size);
    }

    /** The API's answer at {@code now}. */
    public Map<String, Object> json(Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", total);
        m.put("matched", matched);
        m.put("page", page);
        m.put("size", size);
        m.put("counts", counts);
        m.put("items", items.stream().map(e -> e.view(now)).toList());
        return m;
    }
}
