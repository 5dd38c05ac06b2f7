package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.WriteModel;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.log.LogSafe;
import dev.ims.model.reading.FaultCode;
import dev.ims.model.reading.MeterStatus;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.store.alarm.AlarmKind;
import dev.ims.store.alarm.AlarmRecords;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Raises and clears the alarms the ingest sees in what it receives, where it writes the meter documents: {@code
 * METER_FAULT}, {@code TAMPER}, {@code SUPPLY_OFF} from the readings (once per meter per flush of the day and meter
 * documents), {@code METER_OFFLINE} from status messages and {@code REGISTER_ANOMALY} from readings quarantined for a
 * register going backwards or jumping implausibly ({@link AlarmRecords}: idempotent upserts, so two instances agree).
 *
 * <p>Writes happen only on a change of what this instance believes about a meter: per meter, the kinds whose cause it
 * believes present (an open record, or a hold staff left by clearing one whose cause persisted), read from the store by
 * exact {@code _id}s the first time the meter comes up and again once the belief is older than {@link #BELIEF_LIFE}. A
 * cause is raised when it appears, cleared when it ends; a cause that appears and ends within one flush, or in a reading
 * older than one already judged (a backlog), goes straight to the history, so a short tamper leaves its trace.
 *
 * <p>Several instances sharing a meter's messages each judge their share against their own belief: one raises, another
 * may raise the same record again (an upsert: one record, {@code occurrences} 2), whichever sees the cause end clears
 * it, and an instance whose belief is out of date is put right by the next readings the others judge. The re-read
 * every {@link #BELIEF_LIFE} catches what no reading corrects: a {@code REGISTER_ANOMALY} the portal cleared. Why not
 * more often: each re-read looks up 10 {@code _id}s per meter, and in the embedded store an {@code _id} lookup costs
 * about what an upsert does (see {@link DeferredRollups}); every 10 minutes that is 167 lookups a second for 10 000
 * meters, a few percent of the ingest's own writes.
 *
 * <p>Writer thread only. A store failure here never fails the batch: it is logged and the meters concerned are judged
 * afresh (from the store) with their next message.
 */
final class AlarmRaiser {

    private static final Logger LOG = LoggerFactory.getLogger(AlarmRaiser.class);
    /** How long a belief about a meter's alarms is used before it is read from the store again. */
    static final Duration BELIEF_LIFE = Duration.ofMinutes(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final List<AlarmKind> READING_KINDS = List.of(AlarmKind.TAMPER, AlarmKind.METER_FAULT, AlarmKind.SUPPLY_OFF);
    private static final List<AlarmKind> MINE = List.of(AlarmKind.TAMPER, AlarmKind.METER_FAULT, AlarmKind.SUPPLY_OFF,
            AlarmKind.METER_OFFLINE, AlarmKind.REGISTER_ANOMALY);
    private static final Set<String> REGISTER_REASONS = Set.of(RejectReason.REGISTER_BACKWARDS.name(), RejectReason.IMPLAUSIBLE_CONSUMPTION.name());
    private static final int LOGGED_IDS = 5;
    /** {@code _id}s per query when beliefs are read (a flush may carry thousands of meters). */
    private static final int MAX_IDS_PER_READ = 5_000;

    /** What this instance believes about one meter's alarms. */
    static final class Belief {
        final EnumSet<AlarmKind> present = EnumSet.noneOf(AlarmKind.class);
        /** The highest seq judged; -1 when none. */
        long lastSeq = -1;
        /** The newest status time judged, or null. */
        Instant statusTs;
        long loadedAtMs;
    }

    /** A change to write: raise {@code raise}, or (with {@code cleared}) record it as cleared. */
    record Change(AlarmRecords.Raise raise, Document cleared, Instant clearedBy) {
        static Change raise(AlarmRecords.Raise r) {
            return new Change(r, null, null);
        }

        /** Clears the open alarm of {@code r}'s id, unless it was raised after {@code by} (a late message cannot clear it). */
        static Change clear(AlarmRecords.Raise r, Document cleared, Instant by) {
            return new Change(r, cleared, by);
        }

        boolean isClear() {
            return cleared != null && clearedBy != null;
        }

        boolean isTransient() {
            return cleared != null && clearedBy == null;
        }
    }

    private final MongoDatabase db;
    private final Clock clock;
    private final Map<String, Belief> beliefs;

    AlarmRaiser(MongoDatabase db, Clock clock, int maxMeters) {
        this.db = db;
        this.clock = clock;
        this.beliefs = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Belief> eldest) {
                return size() > maxMeters;
            }
        };
    }

    /** After the meter documents of {@code readings} are written: their fault, tamper and relay alarms. */
    void onReadings(Collection<Reading> readings) {
        if (readings.isEmpty()) {
            return;
        }
        Map<String, List<Reading>> byMeter = new LinkedHashMap<>();
        for (Reading r : readings) {
            byMeter.computeIfAbsent(r.meterId(), k -> new ArrayList<>()).add(r);
        }
        apply(byMeter.keySet(), known -> {
            List<Change> changes = new ArrayList<>();
            byMeter.forEach((meter, list) -> changes.addAll(judge(known.get(meter), meter, list, clock.instant())));
            return changes;
        });
    }

    /** After status messages are written: {@code METER_OFFLINE} from each meter's newest. */
    void onStatuses(List<StatusMessage> statuses) {
        Map<String, StatusMessage> newest = new LinkedHashMap<>();
        for (StatusMessage s : statuses) {
            newest.merge(s.meterId(), s, (a, b) -> b.ts().isAfter(a.ts()) ? b : a);
        }
        if (newest.isEmpty()) {
            return;
        }
        apply(newest.keySet(), known -> {
            List<Change> changes = new ArrayList<>();
            newest.forEach((meter, s) -> {
                Change c = judgeStatus(known.get(meter), s, clock.instant());
                if (c != null) {
                    changes.add(c);
                }
            });
            return changes;
        });
    }

    /** After rejected documents are stored (with their {@code _id}s): {@code REGISTER_ANOMALY} from the quarantined ones. */
    void onQuarantined(List<Document> stored) {
        Map<String, Document> first = new LinkedHashMap<>();
        for (Document d : stored) {
            if (d.getString(METER_ID) != null && d.get(QUARANTINE) != null && REGISTER_REASONS.contains(d.getString(REASON))) {
                first.putIfAbsent(d.getString(METER_ID), d);
            }
        }
        if (first.isEmpty()) {
            return;
        }
        apply(first.keySet(), known -> {
            List<Change> changes = new ArrayList<>();
            first.forEach((meter, d) -> {
                Belief b = known.get(meter);
                if (!b.present.contains(AlarmKind.REGISTER_ANOMALY)) {
                    b.present.add(AlarmKind.REGISTER_ANOMALY);
                    changes.add(Change.raise(anomaly(meter, d, clock.instant())));
                }
            });
            return changes;
        });
    }

    /**
     * The changes {@code readings} (one meter's, any order) make to {@code b}, which they update. Judged in seq order from
     * the newest seq already judged: a FAULT reading (TAMPER, or another fault) makes its kind present, an OK one absent
     * (a reading with the other kind of fault leaves it as it is);
     * relay OFF makes {@code SUPPLY_OFF} present, ON absent. Pure but for {@code b}.
     */
    static List<Change> judge(Belief b, String meter, List<Reading> readings, Instant now) {
        List<Reading> sorted = new ArrayList<>(readings);
        sorted.sort(Comparator.comparingLong(Reading::seq));
        List<Change> changes = new ArrayList<>();
        for (AlarmKind kind : READING_KINDS) {
            boolean present = b.present.contains(kind);
            Reading runStart = null; // the first reading of a run of the cause that began in what is judged now
            Reading late = null; // a reading with the cause older than what was judged before
            for (Reading r : sorted) {
                Boolean state = state(kind, r);
                if (state == null) {
                    continue;
                }
                if (r.seq() <= b.lastSeq) {
                    if (state && late == null) {
                        late = r;
                    }
                } else if (state && !present) {
                    runStart = r;
                    present = true;
                } else if (!state && present) {
                    Document cleared = AlarmRecords.cleared(runStart != null ? r.ts() : now, ALARM_BY_AUTO, null, readingEvidence("ended with", r));
                    // A run that began and ended within what is judged now goes straight to the history.
                    changes.add(runStart != null ? new Change(raise(kind, meter, runStart, now), cleared, null)
                            : Change.clear(raise(kind, meter, r, now), cleared, r.ts()));
                    runStart = null;
                    present = false;
                }
            }
            if (runStart != null) {
                changes.add(Change.raise(raise(kind, meter, runStart, now)));
            }
            if (late != null && !present) {
                changes.add(new Change(raise(kind, meter, late, now), AlarmRecords.cleared(late.ts(), ALARM_BY_AUTO,
                        "a late reading: newer readings had already been judged", null), null));
            }
            if (present) {
                b.present.add(kind);
            } else {
                b.present.remove(kind);
            }
        }
        b.lastSeq = Math.max(b.lastSeq, sorted.get(sorted.size() - 1).seq());
        return changes;
    }

    /** TRUE: the reading shows {@code kind}'s cause; FALSE: it shows it ended; null: it tells nothing about it. */
    static Boolean state(AlarmKind kind, Reading r) {
        return switch (kind) {
            // Only an OK reading ends a fault: a reading with the other kind of fault tells nothing about this one.
            case TAMPER -> r.status() != MeterStatus.FAULT ? Boolean.FALSE : r.fault() == FaultCode.TAMPER ? Boolean.TRUE : null;
            case METER_FAULT -> r.status() != MeterStatus.FAULT ? Boolean.FALSE : r.fault() != FaultCode.TAMPER ? Boolean.TRUE : null;
            case SUPPLY_OFF -> r.relay() == null ? null : r.relay() == RelayState.OFF;
            default -> null;
        };
    }

    /** The change a meter's newest status makes to {@code b} ({@code METER_OFFLINE}), or null; an older status changes nothing. */
    static Change judgeStatus(Belief b, StatusMessage s, Instant now) {
        if (b.statusTs != null && !s.ts().isAfter(b.statusTs)) {
            return null;
        }
        b.statusTs = s.ts();
        boolean offline = s.state() == ConnectionState.OFFLINE;
        boolean present = b.present.contains(AlarmKind.METER_OFFLINE);
        AlarmRecords.Raise r = new AlarmRecords.Raise(AlarmKind.METER_OFFLINE, s.meterId(), s.meterId(), s.ts(), now,
                AlarmRecords.evidence("the meter's status is " + s.state() + " since " + s.ts()
                        + (offline ? " (its last will or a clean stop)" : ""), "state", s.state().name(), "statusTs", s.ts()));
        if (offline && !present) {
            b.present.add(AlarmKind.METER_OFFLINE);
            return Change.raise(r);
        }
        if (!offline && present) {
            b.present.remove(AlarmKind.METER_OFFLINE);
            return Change.clear(r, AlarmRecords.cleared(now, ALARM_BY_AUTO, null, r.evidence()), s.ts());
        }
        return null;
    }

    private static AlarmRecords.Raise raise(AlarmKind kind, String meter, Reading r, Instant now) {
        String what = switch (kind) {
            case SUPPLY_OFF -> "the relay OFF";
            default -> "status " + r.status() + (r.fault() == null ? "" : ", fault " + r.fault());
        };
        return new AlarmRecords.Raise(kind, meter, meter, r.ts(), now, AlarmRecords.evidence("reading seq " + r.seq() + " at " + r.ts()
                + " shows " + what, SEQ, r.seq(), TS, r.ts(), STATUS, r.status().name(), FAULT, r.fault() == null ? null : r.fault().name(),
                RELAY, r.relay() == null ? null : r.relay().name(), ENERGY_KWH, r.energyKwh()));
    }

    private static Document readingEvidence(String what, Reading r) {
        return AlarmRecords.evidence(what + " reading seq " + r.seq() + " at " + r.ts() + " (status " + r.status()
                + (r.relay() == null ? "" : ", relay " + r.relay()) + ")", SEQ, r.seq(), TS, r.ts(), STATUS, r.status().name(),
                RELAY, r.relay() == null ? null : r.relay().name());
    }

    private static AlarmRecords.Raise anomaly(String meter, Document rejected, Instant now) {
        Object id = rejected.get(ID);
        Document reading = rejected.get(READING, Document.class);
        Instant ts = reading != null && reading.getDate(TS) != null ? reading.getDate(TS).toInstant() : now;
        Instant received = rejected.getDate(RECEIVED_AT) != null ? rejected.getDate(RECEIVED_AT).toInstant() : now;
        return new AlarmRecords.Raise(AlarmKind.REGISTER_ANOMALY, meter, meter, received, now, AlarmRecords.evidence(
                "reading quarantined (" + rejected.getString(REASON) + "): " + rejected.getString(DETAIL),
                "rejectedId", id instanceof ObjectId o ? o.toHexString() : id == null ? null : id.toString(),
                REASON, rejected.getString(REASON), DETAIL, rejected.getString(DETAIL),
                SEQ, reading == null ? null : reading.get(SEQ), TS, ts, ENERGY_KWH, reading == null ? null : reading.get(ENERGY_KWH)));
    }

    /**
     * Loads the beliefs of {@code meters} that are missing or stale, lets {@code judge} decide (updating them), and writes
     * the changes. A failure forgets the meters' beliefs (judged afresh next time) and is logged, never thrown.
     */
    private void apply(Set<String> meters, java.util.function.Function<Map<String, Belief>, List<Change>> judge) {
        try {
            Map<String, Belief> known = load(meters);
            List<Change> changes = judge.apply(known);
            if (!changes.isEmpty()) {
                write(changes);
            }
        } catch (RuntimeException e) {
            meters.forEach(beliefs::remove);
            LOG.warn("Alarms of {} meter(s) not written (judged again with their next message): {}", meters.size(),
                    LogSafe.of(DatabaseErrors.describe(e)));
        }
    }

    private Map<String, Belief> load(Set<String> meters) {
        long nowMs = clock.millis();
        Map<String, Belief> known = new HashMap<>();
        Set<String> stale = new LinkedHashSet<>();
        for (String m : meters) {
            Belief b = beliefs.get(m);
            if (b == null || nowMs - b.loadedAtMs > BELIEF_LIFE.toMillis()) {
                stale.add(m);
            }
            if (b != null) {
                known.put(m, b);
            }
        }
        if (!stale.isEmpty()) {
            List<String> ids = new ArrayList<>();
            for (String m : stale) {
                for (AlarmKind k : MINE) {
                    ids.add(AlarmRecords.id(k, m));
                }
            }
            Map<String, EnumSet<AlarmKind>> present = new HashMap<>();
            for (String collection : List.of(ALARMS, ALARM_HOLDS)) {
                for (int from = 0; from < ids.size(); from += MAX_IDS_PER_READ) {
                    List<String> chunk = ids.subList(from, Math.min(ids.size(), from + MAX_IDS_PER_READ));
                    for (Document d : Flux.from(db.getCollection(collection).find(Filters.in(ID, chunk))
                            .projection(Projections.include(ALARM_KIND, ALARM_SUBJECT))).collectList().block(TIMEOUT)) {
                        AlarmKind k = AlarmKind.of(d.getString(ALARM_KIND));
                        if (k != null && d.getString(ALARM_SUBJECT) != null) {
                            present.computeIfAbsent(d.getString(ALARM_SUBJECT), s -> EnumSet.noneOf(AlarmKind.class)).add(k);
                        }
                    }
                }
            }
            for (String m : stale) {
                Belief b = known.computeIfAbsent(m, x -> new Belief());
                b.present.clear();
                b.present.addAll(present.getOrDefault(m, EnumSet.noneOf(AlarmKind.class)));
                // Dated up to half a life back: meters first seen together (a start) are re-read spread out, not all at once.
                b.loadedAtMs = nowMs - java.util.concurrent.ThreadLocalRandom.current().nextLong(BELIEF_LIFE.toMillis() / 2);
                beliefs.put(m, b);
            }
        }
        return known;
    }

    private void write(List<Change> changes) {
        List<WriteModel<Document>> raises = new ArrayList<>();
        List<WriteModel<Document>> history = new ArrayList<>();
        Map<String, Change> clears = new LinkedHashMap<>();
        for (Change c : changes) {
            if (c.isTransient()) {
                history.add(AlarmRecords.keep(AlarmRecords.history(c.raise().document(), c.cleared())));
            } else if (c.isClear()) {
                clears.put(c.raise().id(), c);
            } else {
                raises.add(AlarmRecords.raise(c.raise()));
            }
        }
        BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
        List<WriteModel<Document>> deletes = new ArrayList<>();
        List<String> cleared = new ArrayList<>();
        if (!clears.isEmpty()) {
            for (Document open : Flux.from(db.getCollection(ALARMS).find(Filters.in(ID, clears.keySet()))).collectList().block(TIMEOUT)) {
                Change c = clears.get(open.getString(ID));
                if (open.getDate(ALARM_RAISED_AT).toInstant().isAfter(c.clearedBy())) {
                    continue; // raised by something newer than what says it ended
                }
                history.add(AlarmRecords.keep(AlarmRecords.history(open, c.cleared())));
                deletes.add(new DeleteOneModel<>(AlarmRecords.same(open)));
                cleared.add(open.getString(ID));
            }
        }
        if (!raises.isEmpty()) {
            Mono.from(db.getCollection(ALARMS).bulkWrite(raises, unordered)).block(TIMEOUT);
        }
        if (!history.isEmpty()) {
            Mono.from(db.getCollection(ALARM_HISTORY).bulkWrite(history, unordered)).block(TIMEOUT);
        }
        if (!deletes.isEmpty()) {
            Mono.from(db.getCollection(ALARMS).bulkWrite(deletes, unordered)).block(TIMEOUT);
        }
        if (!clears.isEmpty()) {
            // The cause ended: a hold staff left (cleared while it persisted) has done its work.
            Mono.from(db.getCollection(ALARM_HOLDS).deleteMany(Filters.in(ID, clears.keySet()))).block(TIMEOUT);
        }
        List<String> raised = changes.stream().filter(c -> c.cleared() == null).map(c -> c.raise().id()).toList();
        List<String> passed = changes.stream().filter(Change::isTransient).map(c -> c.raise().id()).toList();
        LOG.info("Alarms raised {}{}, cleared {}{}{}", raised.size(), ids(raised), cleared.size(), ids(cleared),
                passed.isEmpty() ? "" : ", come and gone " + passed.size() + ids(passed));
    }

    private static String ids(List<String> ids) {
        if (ids.isEmpty()) {
            return "";
        }
        String shown = String.join(", ", ids.subList(0, Math.min(LOGGED_IDS, ids.size())));
        return " (" + LogSafe.of(shown) + (ids.size() > LOGGED_IDS ? ", …" : "") + ")";
    }
}
