package dev.ims.model.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.circuit.CircuitCodec;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.meter.MeterIds;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A meter's retained status message.
 *
 * @param extras fields the contract does not name (e.g. {@code firmware}), never null
 * @param source the bridge's report on its measurement source, or null (simulated meters, older bridges)
 * @param circuits the meter's circuit descriptions (at most 16, ids unique), empty when it has none or does not say;
 *     sent in the birth (ONLINE) message
 */
public record StatusMessage(
        String meterId, ConnectionState state, Instant ts, Map<String, Object> extras, SourceHealth source,
        List<CircuitInfo> circuits) {

    /** 8 KiB: a birth with a source report and 16 circuit descriptions fits with room to spare (was 4 KiB). */
    public static final int MAX_PAYLOAD_BYTES = 8192;
    private static final Set<String> KNOWN = Set.of("meterId", "state", "ts", "source", "circuits");

    public StatusMessage {
        extras = extras == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extras));
        circuits = circuits == null ? List.of() : List.copyOf(circuits);
        CircuitCodec.requireUniqueIds(circuits.stream().map(CircuitInfo::id).toList());
    }

    /** Without circuit descriptions. */
    public StatusMessage(String meterId, ConnectionState state, Instant ts, Map<String, Object> extras, SourceHealth source) {
        this(meterId, state, ts, extras, source, List.of());
    }

    /** Without a source report or circuit descriptions. */
    public StatusMessage(String meterId, ConnectionState state, Instant ts, Map<String, Object> extras) {
        this(meterId, state, ts, extras, null, List.of());
    }

    /** This message with {@code source} as its source report. */
    public StatusMessage withSource(SourceHealth source) {
        return new StatusMessage(meterId, state, ts, extras, source, circuits);
    }

    /** This message with {@code circuits} as the meter's circuit descriptions (null or empty: none). */
    public StatusMessage withCircuits(List<CircuitInfo> circuits) {
        return new StatusMessage(meterId, state, ts, extras, source, circuits);
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
        if (!circuits.isEmpty()) {
            o.set("circuits", CircuitCodec.infosToJson(circuits));
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
                f.has("source") ? SourceHealth.fromJson(f.node("source")) : null,
                CircuitCodec.infosFromJson(f.node("circuits"), "circuits"));
    }
}
