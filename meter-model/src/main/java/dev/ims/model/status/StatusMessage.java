package dev.ims.model.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.meter.MeterIds;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A meter's retained status message.
 *
 * @param extras fields the contract does not name (e.g. {@code firmware}), never null
 * @param source the bridge's report on its measurement source, or null (simulated meters, older bridges)
 */
public record StatusMessage(String meterId, ConnectionState state, Instant ts, Map<String, Object> extras, SourceHealth source) {

    public static final int MAX_PAYLOAD_BYTES = 4096;
    private static final Set<String> KNOWN = Set.of("meterId", "state", "ts", "source");

    public StatusMessage {
        extras = extras == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    /** Without a source report. */
    public StatusMessage(String meterId, ConnectionState state, Instant ts, Map<String, Object> extras) {
        this(meterId, state, ts, extras, null);
    }

    /** This message with {@code source} as its source report. */
    public StatusMessage withSource(SourceHealth source) {
        return new StatusMessage(meterId, state, ts, extras, source);
    }

    public static StatusMessage of(String meterId, ConnectionState state, Instant ts) {
        return new StatusMessage(meterId, state, ts, Map.of());
    }

    public byte[] encode() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("meterId", meterId);
        o.put("state", state.name());
        o.put("ts", ts.toString());
        if (source != null) {
            o.set("source", source.toJson());
        }
        extras.forEach((k, v) -> o.set(k, Json.mapper().valueToTree(v)));
        return Json.bytes(o);
    }

    /**
     * @throws InvalidPayloadException when the payload is not a status message of {@code topicMeterId}
     */
    public static StatusMessage decode(String topicMeterId, byte[] payload) {
        Fields f = Fields.parse(payload, MAX_PAYLOAD_BYTES);
        String meterId = f.requiredText("meterId");
        if (!MeterIds.isValid(meterId)) {
            throw new InvalidPayloadException(RejectReason.INVALID_METER_ID, "meterId is not a valid meter ID");
        }
        if (topicMeterId != null && !topicMeterId.equals(meterId)) {
            throw new InvalidPayloadException(
                    RejectReason.METER_ID_MISMATCH,
                    "payload meterId '" + meterId + "' differs from topic's '" + topicMeterId + "'");
        }
        return new StatusMessage(
                meterId,
                f.requiredCode("state", ConnectionState.class),
                f.requiredInstant("ts"),
                f.extras(KNOWN),
                f.has("source") ? SourceHealth.fromJson(f.node("source")) : null);
    }
}
