package dev.ims.model.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Json;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a meter's bridge reports about its own measurement source (the meter's P1 port, a Modbus meter): whether
 * data arrives, since when it has not, and the source's counters. Carried in the status message as {@code source}
 * (contract: "Extensions … added with source health"); the ingest keeps the newest by {@link #at}.
 *
 * @param at when the bridge made this report
 * @param state {@code OK} while data arrives, {@code SILENT} when none has for the bridge's silence time
 * @param lastData when the source last gave valid data, or when it was opened if it never has; null if unknown
 * @param counters at most {@value #MAX_COUNTERS} counters, names {@code [a-z0-9][a-z0-9._-]{0,63}}, values ≥ 0
 */
public record SourceHealth(Instant at, SourceState state, Instant lastData, Map<String, Long> counters) {

    public static final int MAX_COUNTERS = 32;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** Whether the bridge hears from the meter. */
    public enum SourceState { OK, SILENT }

    public SourceHealth {
        if (at == null || state == null) {
            throw new IllegalArgumentException("at and state are required");
        }
        counters = counters == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(counters));
        if (counters.size() > MAX_COUNTERS) {
            throw new IllegalArgumentException("at most " + MAX_COUNTERS + " counters");
        }
        counters.forEach((k, v) -> {
            if (!NAME.matcher(k).matches() || v == null || v < 0) {
                throw new IllegalArgumentException("counter '" + k + "' = " + v + " is not a name with a value ≥ 0");
            }
        });
    }

    /** Whether {@code name} may name a counter. */
    public static boolean isCounterName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("at", at.toString());
        o.put("state", state.name());
        if (lastData != null) {
            o.put("lastData", lastData.toString());
        }
        ObjectNode c = o.putObject("counters");
        counters.forEach(c::put);
        return o;
    }

    /**
     * @throws InvalidPayloadException naming the field ({@code source.at} …) when {@code node} is not such a report
     */
    static SourceHealth fromJson(JsonNode node) {
        if (!(node instanceof ObjectNode o)) {
            throw new InvalidPayloadException(RejectReason.WRONG_TYPE, "source must be an object");
        }
        Instant at = instant(o, "at", true);
        JsonNode s = o.get("state");
        if (s == null || s.isNull()) {
            throw new InvalidPayloadException(RejectReason.MISSING_FIELD, "source.state is required");
        }
        SourceState state;
        try {
            state = SourceState.valueOf(s.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidPayloadException(RejectReason.UNKNOWN_CODE, "source.state must be OK or SILENT");
        }
        Instant lastData = instant(o, "lastData", false);
        TreeMap<String, Long> counters = new TreeMap<>();
        JsonNode c = o.get("counters");
        if (c != null && !c.isNull()) {
            if (!c.isObject()) {
                throw new InvalidPayloadException(RejectReason.WRONG_TYPE, "source.counters must be an object");
            }
            if (c.size() > MAX_COUNTERS) {
                throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE, "source.counters has more than " + MAX_COUNTERS + " entries");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (!NAME.matcher(e.getKey()).matches()) {
                    throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE,
                            "source.counters: a name must match [a-z0-9][a-z0-9._-]{0,63}");
                }
                if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                    throw new InvalidPayloadException(RejectReason.WRONG_TYPE, "source.counters." + e.getKey() + " must be a whole number ≥ 0");
                }
                counters.put(e.getKey(), v.longValue());
            }
        }
        return new SourceHealth(at, state, lastData, counters);
    }

    private static Instant instant(ObjectNode o, String name, boolean required) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidPayloadException(RejectReason.MISSING_FIELD, "source." + name + " is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidPayloadException(RejectReason.WRONG_TYPE, "source." + name + " must be an ISO-8601 instant");
        }
        try {
            return Instant.parse(v.textValue());
        } catch (DateTimeParseException e) {
            throw new InvalidPayloadException(RejectReason.INVALID_TIMESTAMP, "source." + name + " is not an ISO-8601 instant");
        }
    }
}
