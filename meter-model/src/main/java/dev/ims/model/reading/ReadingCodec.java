package dev.ims.model.reading;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.circuit.CircuitCodec;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.meter.MeterIds;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Encodes readings to the contract's JSON and decodes untrusted payloads into valid readings.
 * Thread-safe and stateless apart from the clock used for the timestamp window.
 *
 * <p>Decoding checks everything a single payload can show: size, JSON syntax, types, ranges, codes,
 * the topic's meter ID and the timestamp window. Whether the register went backwards needs the meter's
 * history, so the ingest checks that ({@link RejectReason#REGISTER_BACKWARDS}), for the import register and
 * the optional export register alike.
 */
public final class ReadingCodec {

    static final Set<String> KNOWN_FIELDS = Set.of(
            "meterId", "seq", "ts", "energyKwh", "powerW", "voltageV", "currentA", "status", "fault", "relay",
            "exportKwh", "exportPowerW", "circuits");

    private final ReadingLimits limits;
    private final Clock clock;

    public ReadingCodec(ReadingLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    public ReadingCodec() {
        this(ReadingLimits.DEFAULTS, Clock.systemUTC());
    }

    public ReadingLimits limits() {
        return limits;
    }

    /** The contract's JSON; unknown fields in {@link Reading#extras()} are written after the known ones. */
    public byte[] encode(Reading r) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("meterId", r.meterId());
        o.put("seq", r.seq());
        o.put("ts", r.ts().toString());
        o.put("energyKwh", r.energyKwh());
        if (r.powerW() != null) {
            o.put("powerW", r.powerW());
        }
        if (r.voltageV() != null) {
            o.put("voltageV", r.voltageV());
        }
        if (r.currentA() != null) {
            o.put("currentA", r.currentA());
        }
        o.put("status", r.status().name());
        if (r.fault() != null) {
            o.put("fault", r.fault().name());
        } else {
            o.putNull("fault");
        }
        if (r.relay() != null) {
            o.put("relay", r.relay().name());
        }
        if (r.exportKwh() != null) {
            o.put("exportKwh", r.exportKwh());
        }
        if (r.exportPowerW() != null) {
            o.put("exportPowerW", r.exportPowerW());
        }
        if (!r.circuits().isEmpty()) {
            o.set("circuits", CircuitCodec.readingsToJson(r.circuits()));
        }
        r.extras().forEach((k, v) -> o.set(k, Json.mapper().valueToTree(v)));
        return Json.bytes(o);
    }

    /**
     * Decodes and validates a payload received on the reading topic of {@code topicMeterId}.
     *
     * @param topicMeterId the meter ID taken from the topic, or null to skip that check
     * @throws InvalidPayloadException with the specific reason when the payload is not a valid reading
     */
    public Reading decode(String topicMeterId, byte[] payload) {
        Fields f = Fields.parse(payload, limits.maxPayloadBytes());
        String meterId = f.requiredText("meterId");
        if (!MeterIds.isValid(meterId)) {
            throw new InvalidPayloadException(RejectReason.INVALID_METER_ID, "meterId '" + Fields.abbreviate(meterId) + "'");
        }
        if (topicMeterId != null && !topicMeterId.equals(meterId)) {
            throw new InvalidPayloadException(
                    RejectReason.METER_ID_MISMATCH,
                    "payload meterId '" + meterId + "' differs from topic's '" + topicMeterId + "'");
        }
        long seq = f.requiredLong("seq");
        if (seq < 0) {
            throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE, "seq must not be negative, got " + seq);
        }
        Instant ts = limits.checkTimestamp("ts", f.requiredInstant("ts"), clock.instant());
        double energy = f.requiredDouble("energyKwh", 0, limits.maxEnergyKwh());
        Double power = f.optionalDouble("powerW", -limits.maxAbsPowerW(), limits.maxAbsPowerW());
        Double voltage = f.optionalDouble("voltageV", 0, limits.maxVoltageV());
        Double current = f.optionalDouble("currentA", -limits.maxAbsCurrentA(), limits.maxAbsCurrentA());
        MeterStatus status = f.requiredCode("status", MeterStatus.class);
        FaultCode fault = f.optionalCode("fault", FaultCode.class);
        if (status == MeterStatus.FAULT && fault == null) {
            throw new InvalidPayloadException(RejectReason.INCONSISTENT_FAULT, "status FAULT needs a fault code");
        }
        if (status == MeterStatus.OK && fault != null) {
            throw new InvalidPayloadException(
                    RejectReason.INCONSISTENT_FAULT, "status OK with fault " + fault + "; expected FAULT");
        }
        RelayState relay = f.optionalCode("relay", RelayState.class);
        // Export (a prosumer's meter): optional, absent = the meter does not export or cannot tell.
        Double exportKwh = f.optionalDouble("exportKwh", 0, limits.maxEnergyKwh());
        Double exportPower = f.optionalDouble("exportPowerW", 0, limits.maxAbsPowerW());
        // Circuits: optional, absent = the meter reports none (contract "added with circuits").
        List<CircuitReading> circuits = CircuitCodec.readingsFromJson(f.node("circuits"), "circuits", limits);
        return new Reading(
                meterId, seq, ts, energy, power, voltage, current, status, fault, relay, exportKwh, exportPower,
                circuits, f.extras(KNOWN_FIELDS));
    }
}
