package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.usage.UsageCalendar;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/** Turns readings and rejections into documents and idempotent updates. Pure; thread-safe. */
final class Documents {

    private Documents() {}

    static Document reading(Reading r, Instant receivedAt) {
        Document d = new Document(METER_ID, r.meterId())
                .append(SEQ, r.seq())
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
    static List<Document> circuits(List<CircuitReading> circuits) {
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
    static List<CircuitReading> circuitsFrom(Document reading) {
        List<Document> stored = reading.getList(CIRCUITS, Document.class);
        if (stored == null) {
            return List.of();
        }
        List<CircuitReading> out = new ArrayList<>(stored.size());
        for (Document c : stored) {
            out.add(new CircuitReading(c.getString(CIRCUIT_ID), ((Number) c.get(POWER_W)).doubleValue(),
                    ((Number) c.get(ENERGY_KWH)).doubleValue(),
                    c.getString(RELAY) == null ? null : dev.ims.model.reading.RelayState.valueOf(c.getString(RELAY)),
                    c.getString(CIRCUIT_SCHEDULE)));
        }
        return out;
    }

    /** A status message's circuit descriptions for the meter document's {@code circuits} (the time first: see the $max). */
    static Document circuitInfos(java.time.Instant at, List<CircuitInfo> infos) {
        List<Document> list = new ArrayList<>(infos.size());
        for (CircuitInfo c : infos) {
            list.add(new Document(CIRCUIT_ID, c.id()).append(NAME, c.name()).append(KIND, c.kind().name())
                    .append(CRITICAL, c.critical()).append(SWITCHABLE, c.switchable()));
        }
        return new Document(AT, Date.from(at)).append(LIST, list);
    }

    /**
     * @param meterId the topic's meter ID when the topic has one (the source of the payload, by which
     *     staff find it and by which storage is rate-limited), else null
     */
    static Document rejected(String topic, String meterId, byte[] payload, RejectReason reason, String detail, Instant receivedAt) {
        Document d = new Document(TOPIC, topic.length() > 512 ? topic.substring(0, 512) : topic);
        if (meterId != null) {
            d.append(METER_ID, meterId);
        }
        return d.append(PAYLOAD, boundedText(payload, MAX_STORED_PAYLOAD_BYTES))
                .append(PAYLOAD_BYTES, payload.length)
                .append(REASON, reason.name())
                .append(DETAIL, detail)
                .append(RECEIVED_AT, Date.from(receivedAt));
    }

    /** A well-formed reading that failed a check against its meter's history: kept for staff to decide on. */
    static Document quarantined(String topic, byte[] payload, Reading r, RejectReason reason, String detail, Instant receivedAt) {
        Document reading = reading(r, receivedAt);
        reading.remove(RECEIVED_AT);
        return rejected(topic, r.meterId(), payload, reason, detail, receivedAt)
                .append(QUARANTINE, QUARANTINE_OPEN)
                .append(READING, reading);
    }

    /** The reading a stored reading document (or a quarantined one's {@value dev.ims.model.storage.StoreSchema#READING}) holds. */
    static Reading readingFrom(Document d) {
        Document extra = d.get(EXTRA, Document.class);
        return new Reading(d.getString(METER_ID), ((Number) d.get(SEQ)).longValue(), d.getDate(TS).toInstant(),
                ((Number) d.get(ENERGY_KWH)).doubleValue(), decimal(d, POWER_W), decimal(d, VOLTAGE_V), decimal(d, CURRENT_A),
                dev.ims.model.reading.MeterStatus.valueOf(d.getString(STATUS)),
                d.getString(FAULT) == null ? null : dev.ims.model.reading.FaultCode.valueOf(d.getString(FAULT)),
                d.getString(RELAY) == null ? null : dev.ims.model.reading.RelayState.valueOf(d.getString(RELAY)),
                decimal(d, EXPORT_KWH), decimal(d, EXPORT_POWER_W), circuitsFrom(d),
                extra == null ? Map.of() : new LinkedHashMap<>(extra));
    }

    /**
     * Whether {@code stored} holds the same reading as {@code r} (when it was received aside). The export
     * fields, written only when present, must be present in both or in neither, and equal.
     */
    static boolean sameReading(Document stored, Reading r) {
        Document expected = reading(r, Instant.EPOCH);
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            if (!e.getKey().equals(RECEIVED_AT) && !java.util.Objects.equals(normalise(e.getValue()), normalise(stored.get(e.getKey())))) {
                return false;
            }
        }
        for (String optional : List.of(EXPORT_KWH, EXPORT_POWER_W)) {
            if (!java.util.Objects.equals(normalise(expected.get(optional)), normalise(stored.get(optional)))) {
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

    /** The payload as text, cut to {@code maxBytes}; bytes that are not UTF-8 become U+FFFD. */
    static String boundedText(byte[] payload, int maxBytes) {
        int n = Math.min(payload.length, maxBytes);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            String text = decoder.decode(ByteBuffer.wrap(payload, 0, n)).toString();
            return n < payload.length ? text + "…" : text;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("REPLACE never throws", e);
        }
    }

    /**
     * Rollup upserts for a batch, one per (meter, local quarter hour / hour / day): the register's
     * min and max and the first and last timestamps, and the export register's min and max when a reading
     * of the bucket carries one (so a span's export is max - min, as its import is). {@code $min}/{@code
     * $max} make them idempotent, so they are applied for every valid reading, duplicates included: a crash
     * between storing a reading and its rollup heals when the broker redelivers it.
     */
    /** A bridge's report on its measurement source, for the meter document's {@code source} (the time first: see the $max). */
    static Document source(dev.ims.model.status.SourceHealth h) {
        Document counters = new Document();
        h.counters().forEach(counters::append);
        return new Document(AT, Date.from(h.at())).append(STATE, h.state().name())
                .append(LAST_DATA, h.lastData() == null ? null : Date.from(h.lastData())).append(COUNTERS, counters);
    }

    static List<WriteModel<Document>> rollups(List<Reading> readings, UsageCalendar calendar, String collection) {
        Map<String, Bucket> buckets = new LinkedHashMap<>();
        for (Reading r : readings) {
            LocalDate day = calendar.dayOf(r.ts());
            Instant hour;
            String id;
            switch (collection) {
                case HOURLY -> {
                    hour = calendar.hourStart(r.ts());
                    id = hourlyId(r.meterId(), hour);
                }
                case QUARTER -> {
                    hour = calendar.quarterStart(r.ts());
                    id = quarterId(r.meterId(), hour);
                }
                case DAILY -> {
                    hour = null;
                    id = dailyId(r.meterId(), day);
                }
                default -> throw new IllegalArgumentException("not a rollup collection: " + collection);
            }
            buckets.computeIfAbsent(id, k -> new Bucket(r.meterId(), day, hour)).add(r);
        }
        List<WriteModel<Document>> out = new ArrayList<>(buckets.size());
        UpdateOptions upsert = new UpdateOptions().upsert(true);
        buckets.forEach((id, b) -> {
            List<org.bson.conversions.Bson> set = new ArrayList<>(List.of(
                    Updates.min(MIN_KWH, b.minKwh),
                    Updates.max(MAX_KWH, b.maxKwh),
                    Updates.min(FIRST_TS, Date.from(b.firstTs)),
                    Updates.max(LAST_TS, Date.from(b.lastTs)),
                    Updates.setOnInsert(METER_ID, b.meterId),
                    Updates.setOnInsert(DAY, b.day.toString()),
                    Updates.setOnInsert(ZONE, calendar.zone().getId())));
            if (b.hour != null) {
                set.add(Updates.setOnInsert(QUARTER.equals(collection) ? START : HOUR, Date.from(b.hour)));
            }
            if (b.exports()) {
                set.add(Updates.min(MIN_EXPORT_KWH, b.minExportKwh));
                set.add(Updates.max(MAX_EXPORT_KWH, b.maxExportKwh));
            }
            if (!QUARTER.equals(collection)) {
                // Per circuit, in the same upsert: its register's range, so a span's circuit kWh is max - min.
                b.circuits.forEach((circuit, range) -> {
                    set.add(Updates.min(CIRCUITS + "." + circuit + "." + MIN_KWH, range[0]));
                    set.add(Updates.max(CIRCUITS + "." + circuit + "." + MAX_KWH, range[1]));
                });
            }
            out.add(new UpdateOneModel<>(Filters.eq(ID, id), Updates.combine(set), upsert));
        });
        return out;
    }

    /** Per meter: first/last seen (idempotent), and the latest reading only if it is newer than the stored one. */
    /**
     * One upsert per meter, filtered by {@code _id} alone so any store answers it from the primary index:
     * the newest reading wins through {@code $max} on {@code lastSeq} and on {@code latest}, whose first
     * field is {@code seq} (documents compare field by field), so replays and out-of-order deliveries,
     * from this instance or another, never move it back.
     */
    static List<WriteModel<Document>> meters(List<Reading> readings, Instant receivedAt) {
        Map<String, Reading> latest = new LinkedHashMap<>();
        for (Reading r : readings) {
            latest.merge(r.meterId(), r, (a, b) -> b.seq() > a.seq() ? b : a);
        }
        List<WriteModel<Document>> out = new ArrayList<>(latest.size());
        UpdateOptions upsert = new UpdateOptions().upsert(true);
        latest.forEach((id, r) -> {
            Document latestDoc = reading(r, receivedAt);
            latestDoc.remove(METER_ID); // seq is now the first field
            out.add(new UpdateOneModel<>(Filters.eq(ID, id), Updates.combine(
                    Updates.min(FIRST_SEEN, Date.from(receivedAt)),
                    Updates.max(LAST_SEEN, Date.from(receivedAt)),
                    Updates.max(LAST_SEQ, r.seq()),
                    Updates.max(LATEST, latestDoc)), upsert));
        });
        return out;
    }

    private static final class Bucket {
        final String meterId;
        final LocalDate day;
        final Instant hour;
        double minKwh = Double.MAX_VALUE;
        double maxKwh = -Double.MAX_VALUE;
        /** The export register's range over the readings that carry one; {@link #exports()} when any did. */
        double minExportKwh = Double.MAX_VALUE;
        double maxExportKwh = -Double.MAX_VALUE;
        Instant firstTs = Instant.MAX;
        Instant lastTs = Instant.MIN;
        /** Per circuit ID: {min, max} of its register over the bucket's readings that carry it. */
        final Map<String, double[]> circuits = new java.util.TreeMap<>();

        Bucket(String meterId, LocalDate day, Instant hour) {
            this.meterId = meterId;
            this.day = day;
            this.hour = hour;
        }

        void add(Reading r) {
            minKwh = Math.min(minKwh, r.energyKwh());
            maxKwh = Math.max(maxKwh, r.energyKwh());
            if (r.exportKwh() != null) {
                minExportKwh = Math.min(minExportKwh, r.exportKwh());
                maxExportKwh = Math.max(maxExportKwh, r.exportKwh());
            }
            for (CircuitReading c : r.circuits()) {
                double[] range = circuits.computeIfAbsent(c.id(), k -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
                range[0] = Math.min(range[0], c.energyKwh());
                range[1] = Math.max(range[1], c.energyKwh());
            }
            firstTs = r.ts().isBefore(firstTs) ? r.ts() : firstTs;
            lastTs = r.ts().isAfter(lastTs) ? r.ts() : lastTs;
        }

        boolean exports() {
            return maxExportKwh >= minExportKwh;
        }
    }
}
