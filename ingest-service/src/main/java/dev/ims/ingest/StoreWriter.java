package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.log.LogSafe;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.status.StatusMessage;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BatchWrites;
import dev.ims.store.ReadingDocs;
import dev.ims.store.StoreLayout;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes batches of received messages to the store: readings checked against their meter's last stored one
 * ({@link Plausibility}) and against their stored copies, then into their hour buckets (days and meters through
 * {@link DeferredRollups}); statuses into the meters; rejections (sampled) and quarantined readings into
 * {@code rejected}; acknowledgements and readings to the {@link CommandTracker}; and the counters. Every call blocks
 * (at most {@link StoreSetup#DB_TIMEOUT} a database call) and throws the database's error; what the batch writer
 * does with it is its retry policy ({@link BatchWriter}). Writer thread only.
 */
final class StoreWriter implements BatchWriter.Store {

    /** The ingest's logger: what it logs is the ingest's, whichever part does it. */
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final Duration DB_TIMEOUT = StoreSetup.DB_TIMEOUT;
    /** In {@link #baselines}: the meter has no stored reading yet. */
    private static final Plausibility.Baseline NONE = new Plausibility.Baseline(-1, 0, Instant.EPOCH);

    private final MongoDatabase db;
    private final UsageCalendar calendar;
    private final Clock clock;
    private final IngestCounters counters;
    private final IngestMetrics metrics;
    private final int maxAttempts;
    private final Plausibility plausibility;
    /**
     * Each meter's last stored reading, least recently seen evicted first (re-read from the store when the
     * meter reports again), so memory stays bounded whatever meter IDs arrive.
     */
    private final Map<String, Plausibility.Baseline> baselines;
    private final RejectedSampler sampler;
    private final DeferredRollups rollups;
    private final AlarmRaiser alarms;
    private final FleetChangeLog changes;
    private final CommandTracker commands;
    private final AcceptedReadings accepted;
    /** Called after each batch is stored; read at each batch, as it may be set or removed while the ingest runs. */
    private final Supplier<Consumer<List<Reading>>> storedListener;

    /**
     * @param storedListener gives the listener called after each batch is stored (before its messages are acknowledged)
     *     with its valid readings, duplicates included, or null
     */
    StoreWriter(MongoDatabase db, UsageCalendar calendar, Clock clock, IngestLimits limits, IngestCounters counters, IngestMetrics metrics,
            DeferredRollups rollups, AlarmRaiser alarms, FleetChangeLog changes, CommandTracker commands, AcceptedReadings accepted,
            Supplier<Consumer<List<Reading>>> storedListener) {
        this.db = db;
        this.calendar = calendar;
        this.clock = clock;
        this.counters = counters;
        this.metrics = metrics;
        this.maxAttempts = limits.maxAttempts();
        this.plausibility = new Plausibility(limits);
        this.baselines = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Plausibility.Baseline> eldest) {
                return size() > limits.maxTrackedMeters();
            }
        };
        this.sampler = new RejectedSampler(limits.rejectedPerSourcePerMinute(), limits.rejectedPerMinute(), clock);
        this.rollups = rollups;
        this.alarms = alarms;
        this.changes = changes;
        this.commands = commands;
        this.accepted = accepted;
        this.storedListener = storedListener;
    }

    /**
     * Writes one batch; idempotent, so a retry after a partial failure is safe. Readings are checked
     * against their meter's last stored one first ({@link Plausibility}); those that fail are quarantined.
     * A reading whose {@code seq} is stored already ({@link #storedCopies}) is a duplicate when it is the same
     * reading (it then re-applies its writes, which leave everything unchanged unless a crash came between
     * its bucket and its day) and a {@code CONFLICTING_DUPLICATE} otherwise, which touches nothing. The
     * buckets are written before the days and meters: a reading in its bucket is a duplicate when redelivered,
     * whose writes then complete the rest.
     */
    @Override
    public void write(List<PendingItem> batch, boolean deferRollups) {
        Instant now = clock.instant();
        List<PendingItem> candidates = new ArrayList<>();
        List<Document> rejected = new ArrayList<>();
        List<StatusMessage> statuses = new ArrayList<>();
        List<PendingItem.Ack> acks = new ArrayList<>();
        Map<String, Plausibility.Baseline> known = baselinesOf(batch);
        Map<String, Long> lastSeqs = new HashMap<>();
        known.forEach((meter, b) -> lastSeqs.put(meter, b.seq()));
        for (PendingItem i : batch) {
            if (i.rejected() != null) {
                rejected.add(i.rejected());
            } else if (i.status() != null) {
                statuses.add(i.status());
            } else if (i.ack() != null) {
                acks.add(i.ack());
            } else {
                Reading r = i.reading();
                Plausibility.Baseline last = known.get(r.meterId());
                Plausibility.Verdict verdict = i.accepted() != null ? null : plausibility.check(r, last == NONE ? null : last);
                if (verdict != null) {
                    rejected.add(Documents.quarantined(i.topic(), i.payload(), r, verdict.reason(), verdict.detail(), now));
                } else {
                    Plausibility.Baseline newest = Plausibility.Baseline.after(last == NONE ? null : last, r);
                    if (newest != last) {
                        known.put(r.meterId(), newest);
                        baselines.put(r.meterId(), newest);
                    }
                    candidates.add(i);
                }
            }
        }
        List<Reading> valid = new ArrayList<>();
        long inserted = 0;
        long duplicates = 0;
        List<Object[]> settledAccepts = new ArrayList<>();
        long acceptedStored = 0;
        long acceptedDuplicates = 0;
        if (!candidates.isEmpty()) {
            // Per (meter, seq): the reading stored or taken in this batch; a copy of it that differs is a conflict.
            Map<ReadingKey, Document> held = storedCopies(candidates, lastSeqs);
            for (PendingItem i : candidates) {
                Reading r = i.reading();
                ReadingKey key = new ReadingKey(r.meterId(), r.seq());
                Document stored = held.get(key);
                boolean duplicate = stored != null;
                if (duplicate && !ReadingDocs.sameReading(stored, r)) {
                    String detail = "seq " + r.seq() + " is stored already with other values (energyKwh " + stored.get(ENERGY_KWH)
                            + (stored.get(EXPORT_KWH) != null || r.exportKwh() != null ? ", exportKwh " + stored.get(EXPORT_KWH) : "")
                            + (stored.get(CIRCUITS) != null || !r.circuits().isEmpty() ? ", circuits " + ReadingDocs.circuitsFrom(stored).size() : "")
                            + ", ts " + (stored.getDate(TS) == null ? null : stored.getDate(TS).toInstant()) + ")";
                    if (i.accepted() != null) {
                        settledAccepts.add(new Object[] {i.accepted(), QUARANTINE_DISCARDED, "not stored: " + detail});
                    } else {
                        rejected.add(Documents.quarantined(i.topic(), i.payload(), r, RejectReason.CONFLICTING_DUPLICATE, detail, now));
                    }
                    continue;
                }
                if (!duplicate) {
                    held.put(key, ReadingDocs.inBucket(r, now));
                }
                valid.add(r);
                if (i.accepted() != null) {
                    settledAccepts.add(new Object[] {i.accepted(), QUARANTINE_ACCEPTED, null});
                    if (duplicate) {
                        acceptedDuplicates++;
                    } else {
                        acceptedStored++;
                    }
                } else if (duplicate) {
                    duplicates++;
                } else {
                    inserted++;
                }
            }
        }
        if (!valid.isEmpty()) {
            // Duplicates included: their writes change nothing ($min/$max/$set), unless a crash came between a reading's
            // bucket and its day and meter, which the redelivery then completes.
            // Busy: the journal lists the batch's buckets before they are written and acknowledged, and the days and meters
            // wait for the flush. Idle: they are written now, with whatever was held, before the acknowledgement.
            BatchWrites writes = BatchWrites.bucketsOf(valid, calendar, now);
            BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
            if (deferRollups) {
                rollups.journal(valid);
            }
            Mono.from(db.getCollection(StoreLayout.READINGS).bulkWrite(writes.buckets(), unordered)).block(DB_TIMEOUT);
            rollups.add(valid, now);
            if (!deferRollups) {
                rollups.flush();
            }
        }
        for (StatusMessage s : statuses) {
            // Filtered by _id alone (any store uses its primary index); the newest status wins through $max.
            // Only the connection state is taken from a status: a claim verifier it may carry is ignored, the
            // portal registers it at enrolment (a meter's own message must not key or re-key its claim).
            // A bridge's source report is ordered by its own time (its status keeps the connection's birth date): $max on a
            // document whose first field is that time keeps the newest.
            List<org.bson.conversions.Bson> update = new ArrayList<>(List.of(Updates.min(FIRST_SEEN, Date.from(now)),
                    Updates.max(CONNECTION_LAST, new Document(TS, Date.from(s.ts())).append(STATE, s.state().name()))));
            if (s.source() != null) {
                update.add(Updates.max(SOURCE, Documents.source(s.source())));
            }
            // Circuit descriptions come with the birth (ONLINE); a newer birth's (even an empty list) replace them, an
            // older one delivered late does not ($max on a document whose first field is the status ts), and an OFFLINE
            // will, which carries none, leaves them.
            if (s.state() == dev.ims.model.status.ConnectionState.ONLINE) {
                update.add(Updates.max(CIRCUITS, Documents.circuitInfos(s.ts(), s.circuits())));
            }
            Mono.from(db.getCollection(METERS).updateOne(Filters.eq(ID, s.meterId()), Updates.combine(update),
                    new UpdateOptions().upsert(true))).block(DB_TIMEOUT);
        }
        alarms.onStatuses(statuses);
        changes.record(statuses.stream().map(StatusMessage::meterId).toList());
        if (!rejected.isEmpty()) {
            List<Document> sampled = new ArrayList<>(rejected.size());
            for (Document r : rejected) {
                String source = r.getString(METER_ID) != null ? r.getString(METER_ID) : r.getString(TOPIC);
                if (sampler.store(source)) {
                    sampled.add(r);
                }
            }
            if (!sampled.isEmpty()) {
                Mono.from(db.getCollection(REJECTED).insertMany(sampled)).block(DB_TIMEOUT);
                alarms.onQuarantined(sampled);
            }
            if (sampled.size() < rejected.size()) {
                metrics.rejectedUnstored(rejected.size() - sampled.size());
            }
        }
        for (PendingItem.Ack a : acks) {
            commands.onAck(a.meterId(), a.ack());
        }
        commands.onReadings(valid);
        for (Object[] a : settledAccepts) {
            accepted.finish(a[0], (String) a[1], (String) a[2], now);
        }
        // Counted once the whole batch is written: a retried batch is counted by its successful attempt.
        for (Document r : rejected) {
            metrics.rejected(r.getString(REASON));
        }
        counters.stored.addAndGet(inserted + acceptedStored);
        counters.duplicates.addAndGet(duplicates + acceptedDuplicates);
        counters.rejected.addAndGet(rejected.size() - acceptedStored - acceptedDuplicates);
        Consumer<List<Reading>> listener = storedListener.get();
        if (listener != null && !valid.isEmpty()) {
            listener.accept(valid);
        }
    }

    /** A reading's identity: its meter's ID and its seq. */
    private record ReadingKey(String meterId, long seq) {}

    /**
     * The stored readings the batch's candidates may repeat. A candidate above its meter's {@code lastSeq} as known at
     * the batch's start, and alone in the batch with its seq, is new without asking the store (the common case: no
     * read). The others (at or below {@code lastSeq}: a redelivery, or a late reading; or a seq twice in the batch)
     * are looked up with one {@code find}: their hour buckets by {@code _id}, projected to just their {@code r.<seq>}.
     * A stored reading of the same seq in another hour (the same seq with another {@code ts}) is not found: the
     * plausibility checks refuse most such readings before (a register against its seq order).
     */
    private Map<ReadingKey, Document> storedCopies(List<PendingItem> candidates, Map<String, Long> lastSeqs) {
        Map<ReadingKey, Integer> copies = new HashMap<>();
        for (PendingItem i : candidates) {
            copies.merge(new ReadingKey(i.reading().meterId(), i.reading().seq()), 1, Integer::sum);
        }
        java.util.Set<String> buckets = new java.util.LinkedHashSet<>();
        java.util.Set<String> fields = new java.util.LinkedHashSet<>();
        for (PendingItem i : candidates) {
            Reading r = i.reading();
            if (r.seq() <= lastSeqs.getOrDefault(r.meterId(), -1L) || copies.get(new ReadingKey(r.meterId(), r.seq())) > 1) {
                buckets.add(StoreLayout.hourBucketId(r.meterId(), calendar.hourStart(r.ts())));
                fields.add(StoreLayout.READINGS_BY_SEQ + "." + r.seq());
            }
        }
        Map<ReadingKey, Document> stored = new HashMap<>();
        if (buckets.isEmpty()) {
            return stored;
        }
        List<String> projected = new ArrayList<>(fields);
        projected.add(METER_ID);
        for (Document bucket : Flux.from(db.getCollection(StoreLayout.READINGS).find(Filters.in(ID, buckets))
                .projection(Projections.include(projected))).collectList().block(DB_TIMEOUT)) {
            String meterId = bucket.getString(METER_ID);
            if (bucket.get(StoreLayout.READINGS_BY_SEQ) instanceof Document bySeq) {
                bySeq.forEach((seq, reading) -> stored.put(new ReadingKey(meterId, Long.parseLong(seq)), (Document) reading));
            }
        }
        return stored;
    }

    /**
     * The last stored reading of every meter in the batch ({@link #NONE} when it has none): from the cache,
     * the others with one query. A map of its own, so the cache evicting meters while a batch of more
     * meters than it holds is checked cannot leave a reading unchecked.
     */
    private Map<String, Plausibility.Baseline> baselinesOf(List<PendingItem> batch) {
        Map<String, Plausibility.Baseline> known = new HashMap<>();
        java.util.Set<String> unknown = new java.util.HashSet<>();
        for (PendingItem i : batch) {
            if (i.reading() != null && !known.containsKey(i.reading().meterId())) {
                Plausibility.Baseline b = baselines.get(i.reading().meterId());
                if (b != null) {
                    known.put(i.reading().meterId(), b);
                } else {
                    unknown.add(i.reading().meterId());
                }
            }
        }
        if (!unknown.isEmpty()) {
            for (Document m : Flux.from(db.getCollection(METERS).find(Filters.in(ID, unknown))).collectList().block(DB_TIMEOUT)) {
                Document latestDoc = m.get(LATEST, Document.class);
                if (latestDoc != null && m.get(LAST_SEQ) != null && latestDoc.getDate(TS) != null) {
                    // The export register only as far as the latest reading carries it (a meter that stopped
                    // reporting it for a moment is checked again from its next stored value on).
                    Plausibility.Register export = latestDoc.get(EXPORT_KWH) instanceof Number e && latestDoc.get(SEQ) instanceof Number s
                            ? new Plausibility.Register(s.longValue(), e.doubleValue(), latestDoc.getDate(TS).toInstant()) : null;
                    Map<String, Plausibility.Register> circuits = new HashMap<>();
                    if (latestDoc.get(SEQ) instanceof Number s) {
                        for (dev.ims.model.circuit.CircuitReading c : ReadingDocs.circuitsFrom(latestDoc)) {
                            circuits.put(c.id(), new Plausibility.Register(s.longValue(), c.energyKwh(), latestDoc.getDate(TS).toInstant()));
                        }
                    }
                    known.put(m.getString(ID), new Plausibility.Baseline(((Number) m.get(LAST_SEQ)).longValue(),
                            ((Number) latestDoc.get(ENERGY_KWH)).doubleValue(), latestDoc.getDate(TS).toInstant(), export, circuits));
                }
            }
            for (String id : unknown) {
                Plausibility.Baseline b = known.computeIfAbsent(id, k -> NONE);
                baselines.put(id, b);
            }
        }
        return known;
    }

    /** Stores a message that could not be written as {@code PROCESSING_FAILED}; never throws for its data. */
    @Override
    public void quarantine(PendingItem item, RuntimeException cause) {
        String detail = "failed " + maxAttempts + " times: " + DatabaseErrors.describe(cause);
        Instant now = clock.instant();
        Document doc;
        if (item.accepted() != null) {
            LOG.warn("Accepted reading {} could not be stored: {}", item.accepted(), LogSafe.of(detail));
            try {
                accepted.finish(item.accepted(), QUARANTINE_OPEN, "not stored: " + detail, now);
            } catch (RuntimeException e) {
                accepted.release(item.accepted()); // tried again at the next sweep
            }
            return;
        }
        if (item.reading() != null) {
            doc = Documents.quarantined(item.topic(), item.payload(), item.reading(), RejectReason.PROCESSING_FAILED, detail, now);
        } else {
            String meterId = item.status() != null ? item.status().meterId() : item.ack() != null ? item.ack().meterId() : null;
            doc = Documents.rejected(item.topic(), meterId, item.payload(), RejectReason.PROCESSING_FAILED, detail, now);
        }
        if (item.reading() == null && item.rejected() == null) {
            counters.received.incrementAndGet(); // a status or acknowledgement: not counted until it is rejected
        }
        counters.rejected.incrementAndGet();
        metrics.rejected(RejectReason.PROCESSING_FAILED.name());
        LOG.warn("Quarantined a message on {} after {} failed writes: {}", LogSafe.of(item.topic()), maxAttempts,
                LogSafe.of(DatabaseErrors.describe(cause)));
        try {
            Mono.from(db.getCollection(REJECTED).insertOne(doc)).block(DB_TIMEOUT);
        } catch (RuntimeException e) {
            // The decoded reading may be what the store refuses: keep the raw payload (as text) without it.
            doc.remove(READING);
            doc.remove(QUARANTINE);
            try {
                Mono.from(db.getCollection(REJECTED).insertOne(doc)).block(DB_TIMEOUT);
            } catch (RuntimeException again) {
                // Not even that: counted and logged only, never retried.
                LOG.warn("Quarantined message on {} not stored either: {}", LogSafe.of(item.topic()), LogSafe.of(again.toString()));
            }
        }
    }
}
