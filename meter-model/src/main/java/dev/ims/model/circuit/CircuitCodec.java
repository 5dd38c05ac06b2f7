package dev.ims.model.circuit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.ReadingLimits;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The contract's {@code circuits} arrays: values in a reading ({@link CircuitReading}) and descriptions in the birth
 * status ({@link CircuitInfo}). Decoding validates untrusted input and names the failing field with its index
 * ({@code circuits[2].energyKwh}); the array is absent or null → an empty list (the meter has no circuits).
 * Stateless and thread-safe.
 */
public final class CircuitCodec {

    /** The longest schedule reference (a command ID) a reading may carry. */
    public static final int MAX_SCHEDULE_CHARS = 64;

    private CircuitCodec() {}

    /** The values as a JSON array; the caller omits the field when the list is empty. */
    public static ArrayNode readingsToJson(List<CircuitReading> circuits) {
        ArrayNode a = Json.mapper().createArrayNode();
        for (CircuitReading c : circuits) {
            ObjectNode o = a.addObject();
            o.put("id", c.id());
            o.put("powerW", c.powerW());
            o.put("energyKwh", c.energyKwh());
            if (c.relay() != null) {
                o.put("relay", c.relay().name());
            }
            if (c.schedule() != null) {
                o.put("schedule", c.schedule());
            }
        }
        return a;
    }

    /**
     * @param field the array's field name, for error messages
     * @throws InvalidPayloadException naming the field: WRONG_TYPE, MISSING_FIELD, OUT_OF_RANGE (too many entries, a
     *     duplicate or malformed id, a value out of bounds, a schedule reference too long), UNKNOWN_CODE (relay)
     */
    public static List<CircuitReading> readingsFromJson(JsonNode array, String field, ReadingLimits limits) {
        List<CircuitReading> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode element : elements(array, field)) {
            String path = field + "[" + out.size() + "]";
            Fields f = Fields.nested(element, path);
            String id = id(f, path, ids);
            double power = f.requiredDouble("powerW", 0, limits.maxAbsPowerW());
            double energy = f.requiredDouble("energyKwh", 0, limits.maxEnergyKwh());
            RelayState relay = f.optionalCode("relay", RelayState.class);
            String schedule = f.optionalText("schedule");
            if (schedule != null && (schedule.isEmpty() || schedule.length() > MAX_SCHEDULE_CHARS)) {
                throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE,
                        path + ".schedule must be 1 to " + MAX_SCHEDULE_CHARS + " characters");
            }
            out.add(new CircuitReading(id, power, energy, relay, schedule));
        }
        return List.copyOf(out);
    }

    /** The descriptions as a JSON array; the caller omits the field when the list is empty. */
    public static ArrayNode infosToJson(List<CircuitInfo> circuits) {
        ArrayNode a = Json.mapper().createArrayNode();
        for (CircuitInfo c : circuits) {
            ObjectNode o = a.addObject();
            o.put("id", c.id());
            o.put("name", c.name());
            o.put("kind", c.kind().name());
            o.put("critical", c.critical());
            o.put("switchable", c.switchable());
        }
        return a;
    }

    /**
     * @throws InvalidPayloadException naming the field, as {@link #readingsFromJson}; {@code critical} and
     *     {@code switchable} default to false
     */
    public static List<CircuitInfo> infosFromJson(JsonNode array, String field) {
        List<CircuitInfo> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode element : elements(array, field)) {
            String path = field + "[" + out.size() + "]";
            Fields f = Fields.nested(element, path);
            String id = id(f, path, ids);
            String name = f.requiredText("name");
            if (name.isBlank() || name.length() > 40 || !name.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
                throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE, path + ".name must be 1 to 40 printable characters");
            }
            CircuitKind kind = f.requiredCode("kind", CircuitKind.class);
            boolean critical = f.has("critical") && f.requiredBoolean("critical");
            boolean switchable = f.has("switchable") && f.requiredBoolean("switchable");
            out.add(new CircuitInfo(id, name, kind, critical, switchable));
        }
        return List.copyOf(out);
    }

    /** Checks what every circuit list must satisfy when built in code rather than decoded. */
    public static void requireUniqueIds(List<String> ids) {
        if (ids.size() > CircuitInfo.MAX_CIRCUITS) {
            throw new IllegalArgumentException("at most " + CircuitInfo.MAX_CIRCUITS + " circuits, got " + ids.size());
        }
        if (new HashSet<>(ids).size() != ids.size()) {
            throw new IllegalArgumentException("circuit ids must be unique: " + ids);
        }
    }

    private static List<JsonNode> elements(JsonNode array, String field) {
        if (array == null || array.isNull()) {
            return List.of();
        }
        if (!array.isArray()) {
            throw new InvalidPayloadException(RejectReason.WRONG_TYPE,
                    field + " must be an array, got " + array.getNodeType().name().toLowerCase());
        }
        if (array.size() > CircuitInfo.MAX_CIRCUITS) {
            throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE,
                    field + " has " + array.size() + " entries, at most " + CircuitInfo.MAX_CIRCUITS + " are allowed");
        }
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static String id(Fields f, String path, Set<String> seen) {
        String id = f.requiredText("id");
        if (!CircuitInfo.isValidId(id)) {
            throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE,
                    path + ".id '" + Fields.abbreviate(id) + "' must match " + CircuitInfo.ID.pattern());
        }
        if (!seen.add(id)) {
            throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE, path + ".id '" + id + "' appears twice");
        }
        return id;
    }
}
