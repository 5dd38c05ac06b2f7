package dev.ims.store;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.FaultCode;
import dev.ims.model.reading.MeterStatus;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.Document;

/** A reading as a stored document and back. Pure; thread-safe. */
public final class ReadingDocs {

    private ReadingDocs() {}

    /** The reading as stored: the wire's fields ({@code ts} as a date), {@code receivedAt}, optional ones only when present. */
    public static Document reading(Reading r, Instant receivedAt) {
        Document d = new Document(METER_ID, r.meterId());
        d.putAll(inBucket(r, receivedAt));
        return d;
    }

    /** The reading as a bucket holds it under {@code r.<seq>}: without {@code meterId} (the bucket's), {@code seq} first. */
    public static Document inBucket(Reading r, Instant receivedAt) {
        Document d = new Document(SEQ, r.seq())
                .append(TS, Date.from(r.ts()))
                .append(ENERGY_KWH, r.energyKwh())
                .append(POWER_W, r.powerW())
                .append(VOLTAGE_V, r.voltageV())
                .append(CURRENT_A, r.currentA())
                .append(STATUS, r.status().name())
                .append(FAULT, r.fault() == null ? null : r.fault().name())
                .append(RELAY, r.relay() == null ? null : r.relay().name())
                .append(RECEIVED_AT, Date.from(receivedAt));
        // Only when present: a meter that does not export has no export fields (not nulls).
        if (r.exportKwh() != null) {
            d.append(EXPORT_KWH, r.exportKwh());
        }
        if (r.exportPowerW() != null) {
            d.append(EXPORT_POWER_W, r.exportPowerW());
        }
        if (!r.circuits().isEmpty()) {
            d.append(CIRCUITS, circuits(r.circuits()));
        }
        if (!r.extras().isEmpty()) {
            d.append(EXTRA, new Document(r.extras()));
        }
        return d;
    }

    /** A reading's circuit values as stored: the wire's fields, optional ones only when present. */
    public static List<Document> circuits(List<CircuitReading> circuits) {
        List<Document> out = new ArrayList<>(circuits.size());
        for (CircuitReading c : circuits) {
            Document d = new Document(CIRCUIT_ID, c.id()).append(POWER_W, c.powerW()).append(ENERGY_KWH, c.energyKwh());
            if (c.relay() != null) {
                d.append(RELAY, c.relay().name());
            }
            if (c.schedule() != null) {
                d.append(CIRCUIT_SCHEDULE, c.schedule());
            }
            out.add(d);
        }
        return out;
    }

    /** The circuit values a stored reading (or a meter's {@code latest}) holds; empty when none. */
    public static List<CircuitReading> circuitsFrom(Document reading) {
        List<Document> stored = reading.getList(CIRCUITS, Document.class);
        if (stored == null) {
            return List.of();
        }
        List<CircuitReading> out = new ArrayList<>(stored.size());
        for (Document c : stored) {
            out.add(new CircuitReading(c.getString(CIRCUIT_ID), ((Number) c.get(POWER_W)).doubleValue(),
                    ((Number) c.get(ENERGY_KWH)).doubleValue(), c.getString(RELAY) == null ? null : RelayState.valueOf(c.getString(RELAY)),
                    c.getString(CIRCUIT_SCHEDULE)));
        }
        return out;
    }

    /** The reading a stored document holds; {@code meterId} is the document's, or {@code meterId} for a bucket's reading. */
    public static Reading readingFrom(Document d, String meterId) {
        Document extra = d.get(EXTRA, Document.class);
        String id = d.getString(METER_ID) != null ? d.getString(METER_ID) : meterId;
        return new Reading(id, ((Number) d.get(SEQ)).longValue(), d.getDate(TS).toInstant(),
                ((Number) d.get(ENERGY_KWH)).doubleValue(), decimal(d, POWER_W), decimal(d, VOLTAGE_V), decimal(d, CURRENT_A),
                MeterStatus.valueOf(d.getString(STATUS)),
                d.getString(FAULT) == null ? null : FaultCode.valueOf(d.getString(FAULT)),
                d.getString(RELAY) == null ? null : RelayState.valueOf(d.getString(RELAY)),
                decimal(d, EXPORT_KWH), decimal(d, EXPORT_POWER_W), circuitsFrom(d),
                extra == null ? Map.of() : new LinkedHashMap<>(extra));
    }

    /**
     * Whether {@code stored} holds the same reading as {@code r} (whenever either was received). The export fields,
     * written only when present, must be present in both or in neither, and equal.
     */
    public static boolean sameReading(Document stored, Reading r) {
        Document expected = inBucket(r, Instant.EPOCH);
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            if (!e.getKey().equals(RECEIVED_AT) && !e.getKey().equals(CIRCUITS)
                    && !Objects.equals(normalise(e.getValue()), normalise(stored.get(e.getKey())))) {
                return false;
            }
        }
        for (String optional : List.of(EXPORT_KWH, EXPORT_POWER_W)) {
            if (!Objects.equals(normalise(expected.get(optional)), normalise(stored.get(optional)))) {
                return false;
            }
        }
        if (!circuitsFrom(stored).equals(r.circuits())) {
            return false;
        }
        return expected.containsKey(EXTRA) == stored.containsKey(EXTRA);
    }

    /** Numbers compare by value whatever their BSON type. */
    private static Object normalise(Object v) {
        return v instanceof Number n && !(v instanceof Double) ? n.doubleValue() : v;
    }

    private static Double decimal(Document d, String key) {
        Object v = d.get(key);
        return v instanceof Number n ? n.doubleValue() : null;
    }
}
