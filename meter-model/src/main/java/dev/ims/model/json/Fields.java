package dev.ims.model.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the fields of one untrusted JSON object, turning every way it can be wrong into an {@link
 * InvalidPayloadException} with a specific {@link RejectReason} and the field's name.
 */
public final class Fields {

    private final ObjectNode node;
    private final String path;

    private Fields(ObjectNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /**
     * The fields of a nested object, e.g. one element of an array: errors name the field with {@code path} in front
     * ({@code circuits[2].energyKwh}).
     *
     * @throws InvalidPayloadException WRONG_TYPE when {@code value} is not an object
     */
    public static Fields nested(JsonNode value, String path) {
        if (!(value instanceof ObjectNode object)) {
            throw new InvalidPayloadException(RejectReason.WRONG_TYPE,
                    path + " must be an object, got " + (value == null ? "nothing" : value.getNodeType().name().toLowerCase()));
        }
        return new Fields(object, path);
    }

    /** The field's name as errors show it: with the path of the enclosing object, if any. */
    private String label(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /**
     * Parses a payload that must be one JSON object of at most {@code maxBytes} bytes.
     *
     * @throws InvalidPayloadException PAYLOAD_TOO_LARGE, MALFORMED_JSON or NOT_AN_OBJECT
     */
    public static Fields parse(byte[] payload, int maxBytes) {
        if (payload.length > maxBytes) {
            throw new InvalidPayloadException(
                    RejectReason.PAYLOAD_TOO_LARGE, payload.length + " bytes, the limit is " + maxBytes);
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(payload);
        } catch (JacksonException e) {
            throw new InvalidPayloadException(RejectReason.MALFORMED_JSON, firstLine(e.getOriginalMessage()));
        } catch (java.io.IOException | RuntimeException e) {
            throw new InvalidPayloadException(RejectReason.MALFORMED_JSON, firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidPayloadException(RejectReason.MALFORMED_JSON, "empty payload");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new InvalidPayloadException(RejectReason.NOT_AN_OBJECT, "payload is a JSON " + root.getNodeType());
        }
        return new Fields(object, "");
    }

    public boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    /** The raw value of {@code name} (an object, an array …), or null when absent; for nested structures. */
    public JsonNode node(String name) {
        return node.get(name);
    }

    public String requiredText(String name) {
        JsonNode v = required(name);
        if (!v.isTextual()) {
            throw wrongType(label(name), "a string", v);
        }
        return v.textValue();
    }

    public String optionalText(String name) {
        return has(name) ? requiredText(name) : null;
    }

    /** A whole number in the range of a long; 12.0 is accepted, 12.5 is not. */
    public long requiredLong(String name) {
        JsonNode v = required(name);
        if (!v.isNumber()) {
            throw wrongType(label(name), "a whole number", v);
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        double d = v.doubleValue();
        if (!v.isIntegralNumber() && d == Math.rint(d) && Math.abs(d) < 9.0e15) {
            return (long) d;
        }
        if (v.isIntegralNumber()) {
            throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE, label(name) + " is too large");
        }
        throw wrongType(label(name), "a whole number", v);
    }

    /** A finite number within {@code [min, max]}. */
    public double requiredDouble(String name, double min, double max) {
        JsonNode v = required(name);
        if (!v.isNumber()) {
            throw wrongType(label(name), "a number", v);
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d) || d < min || d > max) {
            throw new InvalidPayloadException(
                    RejectReason.OUT_OF_RANGE, label(name) + " = " + v.asText() + " is outside [" + min + ", " + max + "]");
        }
        return d;
    }

    public Double optionalDouble(String name, double min, double max) {
        return has(name) ? requiredDouble(name, min, max) : null;
    }

    public boolean requiredBoolean(String name) {
        JsonNode v = required(name);
        if (!v.isBoolean()) {
            throw wrongType(label(name), "true or false", v);
        }
        return v.booleanValue();
    }

    public Instant requiredInstant(String name) {
        String text = requiredText(name);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                throw new InvalidPayloadException(
                        RejectReason.INVALID_TIMESTAMP, label(name) + " is not an ISO-8601 instant: " + abbreviate(text));
            }
        }
    }

    public <E extends Enum<E>> E requiredCode(String name, Class<E> type) {
        String text = requiredText(name);
        try {
            return Enum.valueOf(type, text);
        } catch (IllegalArgumentException e) {
            throw new InvalidPayloadException(
                    RejectReason.UNKNOWN_CODE, label(name) + " '" + abbreviate(text) + "' is not one of " + codes(type));
        }
    }

    public <E extends Enum<E>> E optionalCode(String name, Class<E> type) {
        return has(name) ? requiredCode(name, type) : null;
    }

    /** The fields not in {@code known}, as plain Java values (maps, lists, strings, numbers, null). */
    public Map<String, Object> extras(Set<String> known) {
        Map<String, Object> extras = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (!known.contains(e.getKey())) {
                extras.put(e.getKey(), Json.mapper().convertValue(e.getValue(), Object.class));
            }
        });
        return extras;
    }

    private JsonNode required(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new InvalidPayloadException(RejectReason.MISSING_FIELD, label(name) + " is required");
        }
        return v;
    }

    private static InvalidPayloadException wrongType(String name, String expected, JsonNode actual) {
        return new InvalidPayloadException(
                RejectReason.WRONG_TYPE,
                name + " must be " + expected + ", got " + actual.getNodeType().name().toLowerCase());
    }

    private static <E extends Enum<E>> String codes(Class<E> type) {
        StringBuilder sb = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.name());
        }
        return sb.toString();
    }

    /** At most 64 characters of {@code s}, for error messages about untrusted input. */
    public static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
    }
}
