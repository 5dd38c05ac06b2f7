package dev.ims.portal.alarm;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.command.CommandState;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.web.Mongo;
import dev.ims.portal.broker.BrokerService;
import dev.ims.portal.broker.IngestFigures;
import dev.ims.portal.broker.MonitorOptions;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * The fleet's alarms, computed from the store on every call: meters offline or silent, meters reporting
 * a fault, supplies switched off (by the readings), relay commands that failed or are stuck, ingest
 * instances or the broker down, payloads rejected in the last hour; with the pipeline monitor
 * ({@link #withPipeline}) also an ingest instance gone silent ({@code INGEST_SILENT}), an ingest falling behind
 * ({@code INGEST_LAG}), the broker dropping messages ({@code BROKER_DROPPING}) and the broker monitor cut off from
 * the broker ({@code BROKER_MONITOR_DOWN}). Most severe first.
 */
public final class AlarmService {

    /** An ONLINE meter without a reading for this long is reported silent. */
    static final Duration SILENT = Duration.ofMinutes(15);
    static final Duration COMMAND_LOOKBACK = Duration.ofHours(24);
    static final Duration PENDING_TOO_LONG = Duration.ofMinutes(2);
    static final Duration UNVERIFIED_TOO_LONG = Duration.ofMinutes(30);
    static final Duration HEARTBEAT_STALE = Duration.ofSeconds(15);

    /** An instance silent for longer than this is taken as retired on purpose, no longer alarmed (its document stays). */
    static final Duration SILENT_INGEST_LOOKBACK = Duration.ofHours(24);

    private final MongoDatabase db;
    private final Clock clock;
    private BrokerService pipeline;
    private Duration lagAlarm = MonitorOptions.DEFAULT_INGEST_LAG_ALARM;
    private Duration droppedWindow = MonitorOptions.DEFAULT_DROPPED_WINDOW;

    public AlarmService(MongoDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Adds the pipeline's alarms: lag beyond {@code lagAlarm}, messages dropped by the broker within {@code droppedWindow}
     * (from the monitor's history), the monitor not connected. Call before the first {@link #alarms()}.
     */
    public AlarmService withPipeline(BrokerService pipeline, Duration lagAlarm, Duration droppedWindow) {
        this.pipeline = pipeline;
        this.lagAlarm = lagAlarm;
        this.droppedWindow = droppedWindow;
        return this;
    }

    public Future<List<Alarm>> alarms() {
        Instant now = clock.instant();
        Future<List<Document>> meters = Mongo.list(db.getCollection(METERS).find()
                .projection(new Document(CONNECTION_LAST, 1).append(CONNECTION, 1).append(LAST_SEEN, 1).append(LATEST, 1).append(SOURCE, 1)
                        .append(DECOMMISSIONED, 1)));
        Future<List<Document>> commands = Mongo.list(db.getCollection(COMMANDS).find(Filters.or(
                        Filters.gte(REQUESTED_AT, Date.from(now.minus(COMMAND_LOOKBACK))), Filters.gte(SENT_AT, Date.from(now.minus(COMMAND_LOOKBACK)))))
                .projection(new Document(HISTORY, 0)));
        Future<List<Document>> services = Mongo.list(db.getCollection(SERVICES).find());
        Future<Long> rejected = Mongo.first(db.getCollection(REJECTED).countDocuments(Filters.gte(RECEIVED_AT, Date.from(now.minus(Duration.ofHours(1))))));
        return Future.all(meters, commands, services, rejected).map(v -> {
            List<Alarm> out = new ArrayList<>();
            for (Document m : meters.result()) {
                if (MeterRoutes.isDecommissioned(m)) {
                    continue; // taken out of service on purpose: nothing to watch
                }
                meterAlarms(m, now, out);
            }
            for (Document c : commands.result()) {
                commandAlarm(c, now, out);
            }
            systemAlarms(services.result(), rejected.result(), now, out);
            pipelineAlarms(services.result(), now, out);
            out.sort(Comparator.comparingInt((Alarm a) -> Alarm.rank(a.severity()))
                    .thenComparing(a -> a.since() == null ? Instant.MAX : a.since(), Comparator.reverseOrder()));
            return out;
        });
    }

    private static void meterAlarms(Document m, Instant now, List<Alarm> out) {
        String id = m.getString(ID);
        Document last = m.get(CONNECTION_LAST, Document.class);
        String state = MeterRoutes.connectionState(m);
        Instant since = last != null && last.getDate(TS) != null ? last.getDate(TS).toInstant() : null;
        Instant seen = m.getDate(LAST_SEEN) == null ? null : m.getDate(LAST_SEEN).toInstant();
        Document latest = m.get(LATEST, Document.class);
        if ("OFFLINE".equals(state)) {
            out.add(new Alarm("METER_OFFLINE", "warning", id, since, "the meter is disconnected (its last will or a clean stop)"
                    + (seen == null ? "" : "; last reading received " + seen)));
        } else if (seen != null && seen.isBefore(now.minus(SILENT))) {
            out.add(new Alarm("METER_SILENT", "warning", id, seen, "connected, but no reading for " + Duration.between(seen, now).toMinutes() + " min"));
        }
        Instant noData = noDataSince(m);
        if (noData != null) {
            out.add(new Alarm("METER_NO_DATA", "critical", id, noData, "the meter's bridge is connected but has had no data from the meter since "
                    + noData + " (cable, port or the meter itself)"));
        }
        if (latest != null && "FAULT".equals(latest.getString(STATUS))) {
            out.add(new Alarm("METER_FAULT", "critical", id, latest.getDate(TS) == null ? null : latest.getDate(TS).toInstant(),
                    "the latest reading reports " + latest.getString(FAULT)));
        }
        if (latest != null && "OFF".equals(latest.getString(RELAY))) {
            out.add(new Alarm("SUPPLY_OFF", "info", id, latest.getDate(TS) == null ? null : latest.getDate(TS).toInstant(),
                    "the latest reading shows the relay OFF"));
        }
    }

    /**
     * When a connected meter's bridge last had data from the meter, if its newest source report says SILENT; null otherwise
     * (data arrives, no report, or the meter is offline: its report is then stale and METER_OFFLINE says more).
     */
    public static Instant noDataSince(Document meter) {
        Document source = meter.get(SOURCE, Document.class);
        if (source == null || !"SILENT".equals(source.getString(STATE)) || "OFFLINE".equals(MeterRoutes.connectionState(meter))) {
            return null;
        }
        Date last = source.getDate(LAST_DATA);
        return last != null ? last.toInstant() : source.getDate(AT).toInstant();
    }

    private static void commandAlarm(Document c, Instant now, List<Alarm> out) {
        String state = c.getString(STATE);
        String meter = c.getString(METER_ID);
        Instant requested = c.getDate(REQUESTED_AT).toInstant();
        Instant sent = c.getDate(SENT_AT) != null ? c.getDate(SENT_AT).toInstant() : requested;
        String what = "relay " + c.getString(RELAY) + " command " + c.getString(ID);
        if (CommandState.FAILED.name().equals(state) || CommandState.TIMED_OUT.name().equals(state) || CommandState.EXPIRED.name().equals(state)) {
            out.add(new Alarm("COMMAND_" + state, "critical", meter, requested, what + ": " + c.getString(ERROR)));
        } else if (CommandState.PENDING.name().equals(state) && sent.isBefore(now.minus(PENDING_TOO_LONG))) {
            // Counted from when it was published: a queued command waits for its meter unalarmed (METER_OFFLINE says why).
            out.add(new Alarm("COMMAND_UNANSWERED", "warning", meter, sent, what + " has no acknowledgement yet"));
        } else if (CommandState.CONFIRMED.name().equals(state) && c.getDate(ACKED_AT) != null
                && c.getDate(ACKED_AT).toInstant().isBefore(now.minus(UNVERIFIED_TOO_LONG))) {
            out.add(new Alarm("COMMAND_UNVERIFIED", "warning", meter, requested, what + " was acknowledged but no reading has shown it yet"));
        }
    }

    private void pipelineAlarms(List<Document> services, Instant now, List<Alarm> out) {
        for (Document s : services) {
            if (!IngestFigures.isIngest(s)) {
                continue;
            }
            IngestFigures f = IngestFigures.of(s, now);
            if (!f.alive() && f.heartbeat() != null && f.heartbeat().isAfter(now.minus(SILENT_INGEST_LOOKBACK))) {
                out.add(new Alarm("INGEST_SILENT", "critical", null, f.heartbeat(), "ingest " + f.instance() + " has not reported for "
                        + Duration.between(f.heartbeat(), now).toSeconds() + " s (stopped, stuck or cut off from the database)"));
            } else if (f.alive() && f.lagSeconds() != null && f.lagSeconds() > lagAlarm.toSeconds()) {
                out.add(new Alarm("INGEST_LAG", "warning", null, now.minusMillis(Math.round(f.lagSeconds() * 1000)), "ingest " + f.instance()
                        + " has readings waiting " + Math.round(f.lagSeconds()) + " s to be stored (" + (f.queued() == null ? "?" : f.queued())
                        + " queued; alarm above " + lagAlarm.toSeconds() + " s)"));
            }
        }
        if (pipeline == null || pipeline.monitor().isEmpty()) {
            return;
        }
        long dropped = pipeline.history().droppedWithin(droppedWindow);
        if (dropped > 0) {
            out.add(new Alarm("BROKER_DROPPING", "critical", null, null, "the broker dropped " + dropped + " message(s) in the last "
                    + droppedWindow.toMinutes() + " min (queues full or clients too slow)"));
        }
        if (!pipeline.monitor().get().connected()) {
            out.add(new Alarm("BROKER_MONITOR_DOWN", "warning", null, pipeline.figures().updatedAt(),
                    "the broker monitor is not connected to the broker: its figures are not current"));
        }
    }

    private static void systemAlarms(List<Document> services, long rejectedLastHour, Instant now, List<Alarm> out) {
        int alive = 0;
        for (Document s : services) {
            Date beat = s.getDate("heartbeat");
            if (beat == null || beat.toInstant().isBefore(now.minus(HEARTBEAT_STALE))) {
                continue;
            }
            alive++;
            if (!"UP".equals(s.getString("broker"))) {
                out.add(new Alarm("BROKER_DOWN", "critical", null, null, "ingest " + s.getString(ID) + " is not connected to the broker"));
            }
        }
        if (alive == 0) {
            out.add(new Alarm("NO_INGEST", "critical", null, null, "no ingest instance has reported in the last "
                    + HEARTBEAT_STALE.toSeconds() + " s: readings are not being stored"));
        }
        if (rejectedLastHour > 0) {
            out.add(new Alarm("PAYLOADS_REJECTED", "warning", null, null, rejectedLastHour + " payloads rejected in the last hour"));
        }
    }
}
