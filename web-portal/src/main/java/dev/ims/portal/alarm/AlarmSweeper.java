package dev.ims.portal.alarm;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.command.CommandState;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.broker.BrokerService;
import dev.ims.portal.broker.IngestFigures;
import dev.ims.portal.web.Mongo;
import dev.ims.store.alarm.AlarmKind;
import dev.ims.store.alarm.AlarmRecords;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises and clears the alarms that no message announces, on a timer ({@code ALARM_SWEEP_SECONDS}): what time tells
 * (meters silent, commands unanswered, ingest instances silent), what the system's state tells (ingest lag, the broker
 * down or dropping messages, payloads rejected) and {@code ABNORMAL_CONSUMPTION} ({@link AbnormalConsumption}). Each sweep
 * finds every present cause, raises those without an open record (or a hold: staff cleared it while it persisted), clears
 * the open records whose cause has ended (cleared by {@code auto}) and drops the holds whose cause has ended. It also
 * clears {@code REGISTER_ANOMALY} once its meter has no open quarantined reading, and any alarm of a meter that was
 * decommissioned. Idempotent, so several portal instances may sweep the same store.
 */
public final class AlarmSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(AlarmSweeper.class);

    /** An ONLINE meter without a reading for this long is reported silent. */
    static final Duration SILENT = Duration.ofMinutes(15);
    static final Duration COMMAND_LOOKBACK = Duration.ofHours(24);
    static final Duration PENDING_TOO_LONG = Duration.ofMinutes(2);
    static final Duration UNVERIFIED_TOO_LONG = Duration.ofMinutes(30);
    static final Duration HEARTBEAT_STALE = Duration.ofSeconds(15);
    /** An instance silent for longer than this is taken as retired on purpose, no longer alarmed (its document stays). */
    static final Duration SILENT_INGEST_LOOKBACK = Duration.ofHours(24);
    private static final int LOGGED_IDS = 5;

    /** The kinds a sweep reconciles (raises and clears from its causes); ABNORMAL_CONSUMPTION is judged apart. */
    private static final Set<AlarmKind> SWEPT = EnumSet.of(AlarmKind.METER_SILENT, AlarmKind.METER_NO_DATA, AlarmKind.COMMAND_FAILED,
            AlarmKind.COMMAND_TIMED_OUT, AlarmKind.COMMAND_EXPIRED, AlarmKind.COMMAND_UNANSWERED, AlarmKind.COMMAND_UNVERIFIED,
            AlarmKind.INGEST_SILENT, AlarmKind.INGEST_LAG, AlarmKind.BROKER_DOWN, AlarmKind.NO_INGEST, AlarmKind.PAYLOADS_REJECTED,
            AlarmKind.BROKER_DROPPING, AlarmKind.BROKER_MONITOR_DOWN);
    /** Kinds only an instance with a broker monitor can judge: one without leaves them to one with. */
    private static final Set<AlarmKind> MONITORED = EnumSet.of(AlarmKind.BROKER_DROPPING, AlarmKind.BROKER_MONITOR_DOWN);

    private final MongoDatabase db;
    private final AlarmStore store;
    private final MeterStates meters;
    private final Clock clock;
    private final Duration interval;
    private final AbnormalConsumption consumption;
    private BrokerService pipeline;
    private Duration lagAlarm = dev.ims.portal.broker.MonitorOptions.DEFAULT_INGEST_LAG_ALARM;
    private Duration droppedWindow = dev.ims.portal.broker.MonitorOptions.DEFAULT_DROPPED_WINDOW;
    private Vertx vertx;
    private long timer = -1;
    private boolean sweeping;

    public AlarmSweeper(MongoDatabase db, AlarmStore store, MeterStates meters, ZoneId zone, Duration interval, Clock clock) {
        this.db = db;
        this.store = store;
        this.meters = meters;
        this.clock = clock;
        this.interval = interval;
        this.consumption = new AbnormalConsumption(db, zone, interval);
    }

    /**
     * Adds the pipeline's alarms: lag beyond {@code lagAlarm}, messages dropped by the broker within {@code droppedWindow}
     * (from the monitor's history), the monitor not connected. Call before {@link #start}.
     */
    public AlarmSweeper withPipeline(BrokerService pipeline, Duration lagAlarm, Duration droppedWindow) {
        this.pipeline = pipeline;
        this.lagAlarm = lagAlarm;
        this.droppedWindow = droppedWindow;
        return this;
    }

    /**
     * Sweeps every interval until {@link #stop()}, the first one interval after the start (so that services starting
     * together, e.g. the local stack, have sent their first heartbeats); a sweep still running when the next is due is
     * not overlapped.
     */
    public AlarmSweeper start(Vertx vertx) {
        this.vertx = vertx;
        timer = vertx.setPeriodic(interval.toMillis(), t -> tick());
        return this;
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void tick() {
        if (sweeping) {
            return;
        }
        sweeping = true;
        sweep().onComplete(r -> {
            sweeping = false;
            if (r.failed()) {
                LOG.debug("Alarm sweep failed (the next one tries again): {}", LogSafe.of(String.valueOf(r.cause())));
            }
        });
    }

    /** A cause found by a sweep. */
    private record Cause(AlarmKind kind, String subject, String meterId, Instant since, Document evidence) {
        String id() {
            return AlarmRecords.id(kind, subject);
        }
    }

    /** One sweep: completes when its writes are done. */
    public Future<Void> sweep() {
        Instant now = clock.instant();
        Future<List<MeterStates.State>> states = meters.all();
        Future<List<Document>> commands = Mongo.list(db.getCollection(COMMANDS).find(Filters.or(
                        Filters.gte(REQUESTED_AT, Date.from(now.minus(COMMAND_LOOKBACK))), Filters.gte(SENT_AT, Date.from(now.minus(COMMAND_LOOKBACK)))))
                .projection(new Document(HISTORY, 0)));
        Future<List<Document>> services = Mongo.list(db.getCollection(SERVICES).find());
        Future<Long> rejected = Mongo.first(db.getCollection(REJECTED).countDocuments(Filters.gte(RECEIVED_AT, Date.from(now.minus(Duration.ofHours(1))))));
        Future<List<Document>> open = store.open();
        Future<List<Document>> holds = store.holds();
        return Future.all(List.of(states, commands, services, rejected, open, holds)).compose(v -> {
            Map<String, Cause> causes = new LinkedHashMap<>();
            Set<String> decommissioned = new HashSet<>();
            List<String> active = new ArrayList<>();
            for (MeterStates.State m : states.result()) {
                if (m.decommissioned()) {
                    decommissioned.add(m.meterId()); // taken out of service on purpose: nothing to watch
                } else {
                    meterCauses(m, now, causes);
                    active.add(m.meterId());
                }
            }
            for (Document c : commands.result()) {
                if (!decommissioned.contains(c.getString(METER_ID))) {
                    commandCause(c, now, causes);
                }
            }
            systemCauses(services.result(), rejected.result(), now, causes);
            pipelineCauses(services.result(), now, causes);
            return reconcile(causes, open.result(), holds.result(), decommissioned, now)
                    .compose(x -> abnormal(active, open.result(), holds.result(), now));
        });
    }

    private Future<Void> reconcile(Map<String, Cause> causes, List<Document> open, List<Document> holds, Set<String> decommissioned, Instant now) {
        boolean monitored = pipeline != null && pipeline.monitor().isPresent();
        Map<String, Document> openById = new LinkedHashMap<>();
        open.forEach(d -> openById.put(d.getString(ID), d));
        Set<Object> held = new HashSet<>();
        holds.forEach(h -> held.add(h.get(ID)));
        List<AlarmRecords.Raise> raises = new ArrayList<>();
        for (Cause c : causes.values()) {
            if (!openById.containsKey(c.id()) && !held.contains(c.id())) {
                raises.add(new AlarmRecords.Raise(c.kind(), c.subject(), c.meterId(), c.since() != null ? c.since() : now, now, c.evidence()));
            }
        }
        Map<Document, Document> clears = new LinkedHashMap<>();
        List<Document> anomalies = new ArrayList<>();
        for (Document d : open) {
            AlarmKind kind = AlarmKind.of(d.getString(ALARM_KIND));
            String meter = d.getString(METER_ID);
            if (meter != null && decommissioned.contains(meter)) {
                clears.put(d, AlarmRecords.cleared(now, ALARM_BY_AUTO, null, AlarmRecords.evidence("the meter was decommissioned")));
            } else if (kind != null && SWEPT.contains(kind) && !causes.containsKey(d.getString(ID)) && (monitored || !MONITORED.contains(kind))) {
                clears.put(d, AlarmRecords.cleared(now, ALARM_BY_AUTO, null, AlarmRecords.evidence("the cause was no longer found at " + now)));
            } else if (kind == AlarmKind.REGISTER_ANOMALY) {
                anomalies.add(d);
            }
        }
        List<Object> endedHolds = new ArrayList<>();
        List<Document> heldAnomalies = new ArrayList<>();
        for (Document h : holds) {
            AlarmKind kind = AlarmKind.of(h.getString(ALARM_KIND));
            if (kind != null && SWEPT.contains(kind) && !causes.containsKey(h.getString(ID)) && (monitored || !MONITORED.contains(kind))) {
                endedHolds.add(h.get(ID));
            } else if (kind == AlarmKind.REGISTER_ANOMALY) {
                heldAnomalies.add(h);
            }
        }
        return anomaliesEnded(anomalies, heldAnomalies, now, clears, endedHolds)
                .compose(x -> store.raise(raises))
                .compose(x -> store.clearAll(clears))
                .compose(x -> store.dropHolds(endedHolds))
                .onSuccess(x -> log(raises.stream().map(AlarmRecords.Raise::id).toList(), clears.keySet().stream().map(d -> d.getString(ID)).toList()));
    }

    /**
     * REGISTER_ANOMALY ends when its meter has no open quarantined reading left (staff accepted or discarded them all): one
     * query for all the meters concerned, only when there are any (it is not by {@code _id}: the store scans).
     */
    private Future<Void> anomaliesEnded(List<Document> open, List<Document> held, Instant now, Map<Document, Document> clears, List<Object> endedHolds) {
        if (open.isEmpty() && held.isEmpty()) {
            return Future.succeededFuture();
        }
        Set<String> meters = new HashSet<>();
        open.forEach(d -> meters.add(d.getString(METER_ID)));
        held.forEach(h -> meters.add(h.getString(METER_ID)));
        meters.remove(null);
        return Mongo.list(db.getCollection(REJECTED).find(Filters.and(Filters.in(METER_ID, meters), Filters.eq(QUARANTINE, QUARANTINE_OPEN)))
                .projection(new Document(METER_ID, 1))).map(docs -> {
                    Set<String> stillOpen = new HashSet<>();
                    docs.forEach(d -> stillOpen.add(d.getString(METER_ID)));
                    for (Document d : open) {
                        if (!stillOpen.contains(d.getString(METER_ID))) {
                            clears.put(d, AlarmRecords.cleared(now, ALARM_BY_AUTO, null,
                                    AlarmRecords.evidence("no quarantined reading of the meter is open any more (staff accepted or discarded them)")));
                        }
                    }
                    for (Document h : held) {
                        if (!stillOpen.contains(h.getString(METER_ID))) {
                            endedHolds.add(h.get(ID));
                        }
                    }
                    return null;
                });
    }

    /** This sweep's share of the ABNORMAL_CONSUMPTION judgements: raised when abnormal, cleared (or its hold dropped) when normal. */
    private Future<Void> abnormal(List<String> active, List<Document> open, List<Document> holds, Instant now) {
        List<String> due = consumption.due(active, now);
        LocalDate day = consumption.day(now);
        return consumption.judge(due, day).compose(judged -> {
            Map<String, Document> openByMeter = new LinkedHashMap<>();
            open.stream().filter(d -> AlarmKind.ABNORMAL_CONSUMPTION.name().equals(d.getString(ALARM_KIND)))
                    .forEach(d -> openByMeter.put(d.getString(METER_ID), d));
            Set<String> held = new HashSet<>();
            holds.stream().filter(h -> AlarmKind.ABNORMAL_CONSUMPTION.name().equals(h.getString(ALARM_KIND))).forEach(h -> held.add(h.getString(METER_ID)));
            List<AlarmRecords.Raise> raises = new ArrayList<>();
            Map<Document, Document> clears = new LinkedHashMap<>();
            List<Object> endedHolds = new ArrayList<>();
            judged.forEach((meter, j) -> {
                Document evidence = AlarmRecords.evidence(j.text(), DAY, j.day().toString(), "kwh", j.kwh(), "expectedLowKwh", j.low(),
                        "expectedHighKwh", j.high(), "medianKwh", j.median(), "basisDays", j.basisDays(),
                        "basis", "the median of the previous " + ConsumptionPattern.BASIS_DAYS + " days with data, spread "
                                + ConsumptionPattern.MAD_FACTOR + " x 1.4826 x MAD (at least half the median and 1 kWh)");
                if (j.abnormal() && !held.contains(meter)) {
                    raises.add(new AlarmRecords.Raise(AlarmKind.ABNORMAL_CONSUMPTION, meter, meter,
                            j.day().atStartOfDay(consumption.zone()).toInstant(), now, evidence));
                } else if (!j.abnormal()) {
                    if (openByMeter.containsKey(meter)) {
                        clears.put(openByMeter.get(meter), AlarmRecords.cleared(now, ALARM_BY_AUTO, null, evidence));
                    }
                    if (held.contains(meter)) {
                        endedHolds.add(AlarmRecords.id(AlarmKind.ABNORMAL_CONSUMPTION, meter));
                    }
                }
            });
            return store.raise(raises).compose(x -> store.clearAll(clears)).compose(x -> store.dropHolds(endedHolds))
                    .onSuccess(x -> log(raises.stream().map(AlarmRecords.Raise::id).toList(), clears.keySet().stream().map(d -> d.getString(ID)).toList()));
        });
    }

    private static void log(List<String> raised, List<String> cleared) {
        if (!raised.isEmpty() || !cleared.isEmpty()) {
            LOG.info("Alarms raised {}{}, cleared {}{}", raised.size(), ids(raised), cleared.size(), ids(cleared));
        }
    }

    private static String ids(List<String> ids) {
        if (ids.isEmpty()) {
            return "";
        }
        return " (" + LogSafe.of(String.join(", ", ids.subList(0, Math.min(LOGGED_IDS, ids.size())))) + (ids.size() > LOGGED_IDS ? ", …" : "") + ")";
    }

    private static void add(Map<String, Cause> causes, AlarmKind kind, String subject, String meterId, Instant since, Document evidence) {
        Cause c = new Cause(kind, subject, meterId, since, evidence);
        causes.putIfAbsent(c.id(), c);
    }

    private static void meterCauses(MeterStates.State m, Instant now, Map<String, Cause> causes) {
        Instant seen = m.lastSeen();
        if (!"OFFLINE".equals(m.connection()) && seen != null && seen.isBefore(now.minus(SILENT))) {
            add(causes, AlarmKind.METER_SILENT, m.meterId(), m.meterId(), seen, AlarmRecords.evidence("connected, but no reading since " + seen
                    + " (over " + SILENT.toMinutes() + " min)", LAST_SEEN, seen, "connection", m.connection()));
        }
        Instant noData = m.noDataSince();
        if (noData != null) {
            add(causes, AlarmKind.METER_NO_DATA, m.meterId(), m.meterId(), noData, AlarmRecords.evidence("the meter's bridge is connected but has had "
                    + "no data from the meter since " + noData + " (cable, port or the meter itself)", LAST_DATA, noData));
        }
    }

    private static void commandCause(Document c, Instant now, Map<String, Cause> causes) {
        String state = c.getString(STATE);
        String meter = c.getString(METER_ID);
        if (meter == null || c.getDate(REQUESTED_AT) == null) {
            return;
        }
        Instant requested = c.getDate(REQUESTED_AT).toInstant();
        Instant sent = c.getDate(SENT_AT) != null ? c.getDate(SENT_AT).toInstant() : requested;
        String what = "relay " + c.getString(RELAY) + " command " + c.getString(ID);
        if (CommandState.FAILED.name().equals(state) || CommandState.TIMED_OUT.name().equals(state) || CommandState.EXPIRED.name().equals(state)) {
            add(causes, AlarmKind.valueOf("COMMAND_" + state), meter, meter, requested, AlarmRecords.evidence(what + ": " + c.getString(ERROR),
                    COMMAND_ID, c.getString(ID), STATE, state, ERROR, c.getString(ERROR)));
        } else if (CommandState.PENDING.name().equals(state) && sent.isBefore(now.minus(PENDING_TOO_LONG))) {
            // Counted from when it was published: a queued command waits for its meter unalarmed (METER_OFFLINE says why).
            add(causes, AlarmKind.COMMAND_UNANSWERED, meter, meter, sent, AlarmRecords.evidence(what + " has no acknowledgement yet",
                    COMMAND_ID, c.getString(ID), SENT_AT, sent));
        } else if (CommandState.CONFIRMED.name().equals(state) && c.getDate(ACKED_AT) != null
                && c.getDate(ACKED_AT).toInstant().isBefore(now.minus(UNVERIFIED_TOO_LONG))) {
            add(causes, AlarmKind.COMMAND_UNVERIFIED, meter, meter, requested, AlarmRecords.evidence(what
                    + " was acknowledged but no reading has shown it yet", COMMAND_ID, c.getString(ID), ACKED_AT, c.getDate(ACKED_AT).toInstant()));
        }
    }

    private void pipelineCauses(List<Document> services, Instant now, Map<String, Cause> causes) {
        for (Document s : services) {
            if (!IngestFigures.isIngest(s)) {
                continue;
            }
            IngestFigures f = IngestFigures.of(s, now);
            if (!f.alive() && f.heartbeat() != null && f.heartbeat().isAfter(now.minus(SILENT_INGEST_LOOKBACK))) {
                add(causes, AlarmKind.INGEST_SILENT, f.instance(), null, f.heartbeat(), AlarmRecords.evidence("ingest " + f.instance()
                        + " has not reported since " + f.heartbeat() + " (stopped, stuck or cut off from the database)", "heartbeat", f.heartbeat()));
            } else if (f.alive() && f.lagSeconds() != null && f.lagSeconds() > lagAlarm.toSeconds()) {
                add(causes, AlarmKind.INGEST_LAG, f.instance(), null, now.minusMillis(Math.round(f.lagSeconds() * 1000)), AlarmRecords.evidence(
                        "ingest " + f.instance() + " has readings waiting " + Math.round(f.lagSeconds()) + " s to be stored ("
                                + (f.queued() == null ? "?" : f.queued()) + " queued; alarm above " + lagAlarm.toSeconds() + " s)",
                        "lagSeconds", f.lagSeconds(), "queued", f.queued(), "thresholdSeconds", lagAlarm.toSeconds()));
            }
        }
        if (pipeline == null || pipeline.monitor().isEmpty()) {
            return;
        }
        long dropped = pipeline.history().droppedWithin(droppedWindow);
        if (dropped > 0) {
            add(causes, AlarmKind.BROKER_DROPPING, AlarmKind.FLEET, null, null, AlarmRecords.evidence("the broker dropped " + dropped
                    + " message(s) in the last " + droppedWindow.toMinutes() + " min (queues full or clients too slow)", "dropped", dropped,
                    "windowMinutes", droppedWindow.toMinutes()));
        }
        if (!pipeline.monitor().get().connected()) {
            add(causes, AlarmKind.BROKER_MONITOR_DOWN, AlarmKind.FLEET, null, pipeline.figures().updatedAt(),
                    AlarmRecords.evidence("the broker monitor is not connected to the broker: its figures are not current"));
        }
    }

    private static void systemCauses(List<Document> services, long rejectedLastHour, Instant now, Map<String, Cause> causes) {
        int alive = 0;
        for (Document s : services) {
            Date beat = s.getDate("heartbeat");
            if (beat == null || beat.toInstant().isBefore(now.minus(HEARTBEAT_STALE))) {
                continue;
            }
            alive++;
            if (!"UP".equals(s.getString("broker"))) {
                add(causes, AlarmKind.BROKER_DOWN, s.getString(ID), null, null, AlarmRecords.evidence("ingest " + s.getString(ID)
                        + " is not connected to the broker", "instance", s.getString(ID)));
            }
        }
        if (alive == 0) {
            add(causes, AlarmKind.NO_INGEST, AlarmKind.FLEET, null, null, AlarmRecords.evidence("no ingest instance has reported in the last "
                    + HEARTBEAT_STALE.toSeconds() + " s: readings are not being stored"));
        }
        if (rejectedLastHour > 0) {
            add(causes, AlarmKind.PAYLOADS_REJECTED, AlarmKind.FLEET, null, null, AlarmRecords.evidence(rejectedLastHour
                    + " payloads rejected in the last hour", "lastHour", rejectedLastHour));
        }
    }
}
