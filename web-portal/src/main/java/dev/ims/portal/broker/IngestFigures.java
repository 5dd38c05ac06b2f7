package dev.ims.portal.broker;

import static dev.ims.model.storage.StoreSchema.ID;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/**
 * One ingest instance's figures, from its heartbeat document in the {@code services} collection (the ingest writes them
 * every 2 s: its {@code pipeline} sub-document). A figure the heartbeat does not carry is null (an older ingest, or one
 * without metrics for the batch figures).
 *
 * @param alive whether its heartbeat is younger than the staleness limit
 * @param lagSeconds the age of the oldest reading it received and has not written yet
 * @param queued readings received and not written yet
 */
public record IngestFigures(String instance, Instant heartbeat, boolean alive, String broker, String database, Double ratePerSecond,
        Double lagSeconds, Long queued, Double rejectedPerMinute, Double batchSizeMean, Double batchSizeMax, Double writeLatencyMeanMs,
        Double writeLatencyMaxMs) {

    /** A heartbeat older than this means the instance is gone or stuck (it writes one every 2 s). */
    public static final Duration STALE = Duration.ofSeconds(15);

    public static IngestFigures of(Document service, Instant now) {
        Date beat = service.getDate("heartbeat");
        Instant at = beat == null ? null : beat.toInstant();
        Document p = service.get("pipeline") instanceof Document d ? d : new Document();
        Number queued = number(p, "queued");
        return new IngestFigures(String.valueOf(service.get(ID)), at, at != null && at.isAfter(now.minus(STALE)),
                service.getString("broker"), service.getString("database"), decimal(p, "ratePerSecond"), decimal(p, "lagSeconds"),
                queued == null ? null : queued.longValue(), decimal(p, "rejectedPerMinute"), decimal(p, "batchSizeMean"),
                decimal(p, "batchSizeMax"), decimal(p, "writeLatencyMeanMs"), decimal(p, "writeLatencyMaxMs"));
    }

    /** Whether {@code service} is an ingest instance's heartbeat (the collection may hold other services' one day). */
    public static boolean isIngest(Document service) {
        Object kind = service.get("kind");
        return kind == null || "ingest".equals(kind);
    }

    private static Number number(Document d, String key) {
        return d.get(key) instanceof Number n ? n : null;
    }

    private static Double decimal(Document d, String key) {
        Number n = number(d, key);
        return n == null || !Double.isFinite(n.doubleValue()) ? null : n.doubleValue();
    }
}
