package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.MeterStatus;
import dev.ims.model.reading.Reading;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BatchWrites;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * Seeds readings the way the ingest stores them: through the real write code ({@link BatchWrites}: hour buckets, day
 * documents, the meter documents' reading range, latest and last seq). A register range of a span (what a hand-made
 * rollup used to say) becomes two readings in the span carrying its lowest and its highest register.
 */
public final class StoreSeed {

    /** The portal ITs' zone (and the ingest's, whose writes these are). */
    public static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private StoreSeed() {}

    /** Stores {@code readings} (any meters, any order) as the ingest would, received now, days and hours in {@code zone}. */
    public static void store(MongoDatabase db, ZoneId zone, List<Reading> readings) {
        store(db, zone, readings, Instant.now());
    }

    /** Stores {@code readings} as the ingest would, received at {@code receivedAt} (the meter's {@code lastSeen} at least). */
    public static void store(MongoDatabase db, ZoneId zone, List<Reading> readings, Instant receivedAt) {
        if (readings.isEmpty()) {
            return;
        }
        BatchWrites w = BatchWrites.of(readings, new UsageCalendar(zone), receivedAt);
        write(db, READINGS, w.buckets());
        write(db, DAILY, w.days());
        write(db, METERS, w.meters());
    }

    public static void store(MongoDatabase db, List<Reading> readings) {
        store(db, BERLIN, readings);
    }

    private static void write(MongoDatabase db, String collection, List<WriteModel<Document>> writes) {
        Mono.from(db.getCollection(collection).bulkWrite(writes, new BulkWriteOptions().ordered(true))).block();
    }

    /**
     * Sets the fields of {@code meter} (by its {@code _id}) on the meter document, creating it if need be: what a test
     * says the meter's state, latest reading or circuits are, over what the seeded readings wrote.
     */
    public static void meter(MongoDatabase db, Document meter) {
        Document fields = new Document(meter);
        Object id = fields.remove(ID);
        Mono.from(db.getCollection(METERS).updateOne(new Document(ID, id), new Document("$set", fields),
                new com.mongodb.client.model.UpdateOptions().upsert(true))).block();
    }

    /** A plain reading (status OK, no optional values); its seq is its minute since the epoch unless given. */
    public static Reading reading(String meterId, long seq, Instant ts, double kwh) {
        return new Reading(meterId, seq, ts, kwh, null, null, null, MeterStatus.OK, null, null, Map.of());
    }

    public static Reading reading(String meterId, Instant ts, double kwh) {
        return reading(meterId, minute(ts), ts, kwh);
    }

    /** The seq the seeded readings take by default: the reading's minute since the epoch (unique per meter and minute). */
    public static long minute(Instant ts) {
        return Math.floorDiv(ts.getEpochSecond(), 60);
    }

    /**
     * Two readings of the span starting at {@code start} and {@code length} long: {@code min} at its start, {@code max}
     * a minute before its end (one reading if {@code min == max} and the span is a minute or less).
     */
    public static List<Reading> span(String meterId, Instant start, Duration length, double min, double max) {
        List<Reading> out = new ArrayList<>(2);
        out.add(reading(meterId, start, min));
        Instant last = start.plus(length).minusSeconds(60);
        if (last.isAfter(start)) {
            out.add(reading(meterId, last, max));
        }
        return out;
    }

    /** An hour's readings: {@code min} at its start, {@code max} at its 59th minute. */
    public static List<Reading> hour(String meterId, Instant start, double min, double max) {
        return span(meterId, start, Duration.ofHours(1), min, max);
    }

    /** {@code r} with circuit {@code id}'s register at {@code kwh} (no power, no relay) added. */
    public static Reading withCircuit(Reading r, String id, double kwh) {
        List<CircuitReading> circuits = new ArrayList<>(r.circuits());
        circuits.add(new CircuitReading(id, 0, kwh, null, null));
        return r.withCircuits(circuits);
    }
}
