package dev.ims.portal.circuit;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.circuit.Schedule;
import dev.ims.model.json.Json;
import dev.ims.model.reading.RelayState;
import dev.ims.portal.command.CommandService;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.tariff.Tariffs;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * The owner's circuit commands: checks the circuit against the meter's own description of it (the meter document's
 * {@code circuits}, as the ingest keeps it from the meter's birth), sends CIRCUIT and SCHEDULE commands through
 * {@link CommandService} (signed, queued for an offline meter, the same audit trail), keeps the schedule in force per
 * meter and circuit in {@code circuitSchedules} ({@code _id} {@code meterId/circuitId}) and judges whether it was followed.
 */
public final class CircuitControlService {

    /**
     * The meter document's circuit descriptions ({@code [{id,name,kind,critical,switchable}]}), written by the ingest
     * from the meter's birth status (contract "added with circuits").
     */
    static final String METER_CIRCUITS = "circuits";
    /** Circuits' values in the rollups: {@code circuits.<id>.minKwh/maxKwh}. */
    static final String ROLLUP_CIRCUITS = "circuits";

    private final MongoDatabase db;
    private final CommandService commands;
    private final Tariffs tariffs;
    private final ZoneId zone;
    private final Clock clock;

    public CircuitControlService(MongoDatabase db, CommandService commands, Tariffs tariffs, ZoneId zone, Clock clock) {
        this.db = db;
        this.commands = commands;
        this.tariffs = tariffs;
        this.zone = zone;
        this.clock = clock;
    }

    public ZoneId zone() {
        return zone;
    }

    /**
     * The circuit's description when the meter may switch it remotely; else a 409 that says why (unknown, critical,
     * without relay), or when the meter was decommissioned.
     */
    static Document switchable(Document meter, String circuitId) {
        String meterId = meter.getString(ID);
        if (MeterRoutes.isDecommissioned(meter)) {
            throw new HttpError(409, "meter " + meterId + " was decommissioned: it takes no commands");
        }
        if (!dev.ims.model.circuit.CircuitInfo.isValidId(circuitId)) {
            throw new HttpError(409, "meter " + meterId + " has no circuit " + circuitId);
        }
        List<Document> circuits = CircuitService.descriptions(meter); // the newest birth's, as the ingest keeps them
        Document c = circuits.stream().filter(d -> circuitId.equals(d.getString(ID_FIELD))).findFirst()
                .orElseThrow(() -> new HttpError(409, "meter " + meterId + " has no circuit " + circuitId));
        if (Boolean.TRUE.equals(c.getBoolean("critical"))) {
            throw new HttpError(409, "circuit " + circuitId + " is critical: it is never switched remotely");
        }
        if (!Boolean.TRUE.equals(c.getBoolean("switchable"))) {
            throw new HttpError(409, "circuit " + circuitId + " has no relay: it cannot be switched");
        }
        return c;
    }

    /** A circuit description's {@code id} (not Mongo's {@code _id}). */
    private static final String ID_FIELD = "id";

    public Future<CommandService.Sent> switchCircuit(Document meter, String circuitId, RelayState relay, String reason, String owner) {
        switchable(meter, circuitId);
        return commands.sendCircuit(meter.getString(ID), MeterRoutes.connectionState(meter), circuitId, relay, reason, owner,
                CommandService.DEFAULT_QUEUE_VALIDITY);
    }

    /** What the owner asked for; {@code windows} for CUSTOM only. */
    public record ScheduleRequest(SchedulePresets.Preset preset, Integer hours, List<Schedule.Window> windows) {}

    /**
     * Resolves the request against the tariff in force today, sends it, and keeps it as the circuit's schedule.
     *
     * @return the command sent and the schedule it carries
     */
    public Future<Map<String, Object>> setSchedule(Document meter, String circuitId, ScheduleRequest request, String owner) {
        switchable(meter, circuitId);
        LocalDate today = LocalDate.now(clock.withZone(zone));
        return tariffs.book().compose(book -> {
            Schedule schedule;
            try {
                schedule = SchedulePresets.resolve(request.preset(), request.hours(), request.windows(), book.versionOn(today), zone);
            } catch (SchedulePresets.NotApplicable e) {
                return Future.failedFuture(new HttpError(409, e.getMessage()));
            } catch (IllegalArgumentException e) {
                return Future.failedFuture(HttpError.badRequest(e.getMessage()));
            }
            String reason = "schedule " + request.preset() + (request.hours() == null ? "" : " " + request.hours() + " h");
            return commands.sendSchedule(meter.getString(ID), MeterRoutes.connectionState(meter), circuitId, schedule, reason, owner,
                            CommandService.DEFAULT_QUEUE_VALIDITY)
                    .compose(sent -> keep(meter.getString(ID), circuitId, request.preset().name(), request.hours(), schedule, sent, owner)
                            .map(v -> view(sent, schedule, request.preset().name())));
        });
    }

    /** Sends the removal (a null schedule) and keeps that as the circuit's state. */
    public Future<Map<String, Object>> removeSchedule(Document meter, String circuitId, String owner) {
        switchable(meter, circuitId);
        return commands.sendSchedule(meter.getString(ID), MeterRoutes.connectionState(meter), circuitId, null, "schedule removed", owner,
                        CommandService.DEFAULT_QUEUE_VALIDITY)
                .compose(sent -> keep(meter.getString(ID), circuitId, null, null, null, sent, owner).map(v -> view(sent, null, null)));
    }

    private static Map<String, Object> view(CommandService.Sent sent, Schedule schedule, String preset) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("commandId", sent.commandId());
        out.put("state", sent.state().name());
        out.put("expiresAt", sent.expiresAt().toString());
        out.put("preset", preset);
        out.put("schedule", schedule == null ? null : plain(schedule));
        return out;
    }

    private static Map<String, Object> plain(Schedule s) {
        try {
            return Json.mapper().readValue(Json.bytes(s.toJson()), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static String scheduleId(String meterId, String circuitId) {
        return meterId + "/" + circuitId;
    }

    private Future<Void> keep(String meterId, String circuitId, String preset, Integer hours, Schedule schedule, CommandService.Sent sent,
            String owner) {
        Document d = new Document(ID, scheduleId(meterId, circuitId)).append(METER_ID, meterId).append(COMMAND_CIRCUIT, circuitId)
                .append(PRESET, preset).append("hours", hours)
                .append(COMMAND_SCHEDULE, schedule == null ? null : Document.parse(schedule.toJson().toString()))
                .append(COMMAND_ID, sent.commandId()).append(REQUESTED_BY, owner).append(REQUESTED_AT, Date.from(clock.instant()));
        return Mongo.first(db.getCollection(CIRCUIT_SCHEDULES).replaceOne(Filters.eq(ID, d.getString(ID)), d, new ReplaceOptions().upsert(true)))
                .mapEmpty();
    }

    /**
     * The meter's circuit schedules as kept, each with its command's state and whether it was followed yesterday:
     * {@code {circuit, preset, hours, schedule, commandId, state, requestedAt, followedYesterday?}}.
     */
    public Future<List<Map<String, Object>>> schedules(String meterId) {
        LocalDate yesterday = LocalDate.now(clock.withZone(zone)).minusDays(1);
        return Mongo.list(db.getCollection(CIRCUIT_SCHEDULES).find(Filters.eq(METER_ID, meterId)).sort(Sorts.ascending(ID))).compose(docs -> {
            List<Future<Map<String, Object>>> views = new ArrayList<>();
            for (Document d : docs) {
                views.add(commands.find(d.getString(COMMAND_ID)).compose(cmd -> {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("circuit", d.getString(COMMAND_CIRCUIT));
                    v.put("preset", d.getString(PRESET));
                    v.put("hours", d.getInteger("hours"));
                    Document s = d.get(COMMAND_SCHEDULE, Document.class);
                    v.put("schedule", s == null ? null : new LinkedHashMap<>(s));
                    v.put("commandId", d.getString(COMMAND_ID));
                    v.put("state", cmd == null ? null : cmd.getString(STATE));
                    v.put("requestedAt", d.getDate(REQUESTED_AT).toInstant().toString());
                    if (s == null) {
                        return Future.succeededFuture(v);
                    }
                    return followed(meterId, d.getString(COMMAND_CIRCUIT), schedule(s), yesterday).map(verdict -> {
                        v.put("followedYesterday", verdictView(verdict));
                        return v;
                    });
                }));
            }
            return Future.all(views).map(all -> {
                List<Map<String, Object>> out = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    out.add(all.resultAt(i));
                }
                return out;
            });
        });
    }

    /**
     * What the dashboard's circuit controls need ({@code circuit-control.ftlh}): {@code circuitOwner} (only the meter's
     * owner gets forms) and {@code circuitSchedules} (circuit ID to its kept schedule, as {@link #schedules}).
     */
    public Future<Map<String, Object>> pageModel(Document meter, dev.ims.portal.account.Principal p) {
        boolean owner = !p.isStaff() && p.username().equals(meter.getString(OWNER));
        return schedules(meter.getString(ID)).map(list -> {
            Map<String, Object> byCircuit = new LinkedHashMap<>();
            list.forEach(v -> byCircuit.put((String) v.get("circuit"), v));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("circuitOwner", owner);
            out.put("circuitSchedules", byCircuit);
            return out;
        });
    }

    /** The schedule kept for the circuit, or null. */
    public Future<Document> kept(String meterId, String circuitId) {
        return Mongo.first(db.getCollection(CIRCUIT_SCHEDULES).find(Filters.eq(ID, scheduleId(meterId, circuitId))));
    }

    static Schedule schedule(Document stored) {
        try {
            return Schedule.fromJson(Json.mapper().readTree(stored.toJson()));
        } catch (IOException e) {
            throw new IllegalStateException("stored schedule unreadable: " + e.getMessage(), e);
        }
    }

    public static Map<String, Object> verdictView(ScheduleCompliance.Verdict v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("day", v.day().toString());
        out.put("followed", v.followed());
        out.put("kwhOutside", v.kwhOutside());
        out.put("onHours", v.onHours());
        out.put("maxHoursPerDay", v.cap());
        out.put("hoursWithData", v.hoursSeen());
        return out;
    }

    /**
     * Whether the circuit followed {@code schedule} on local {@code day}, from the hourly rollups' {@code circuits.<id>}
     * registers (the hour after the day included, to close its last hour).
     */
    public Future<ScheduleCompliance.Verdict> followed(String meterId, String circuitId, Schedule schedule, LocalDate day) {
        Instant from = day.atStartOfDay(schedule.zone()).toInstant();
        Instant to = day.plusDays(1).atStartOfDay(schedule.zone()).toInstant();
        String field = ROLLUP_CIRCUITS + "." + circuitId;
        return Mongo.list(db.getCollection(HOURLY).find(Filters.and(Filters.eq(METER_ID, meterId), Filters.gte(HOUR, Date.from(from)),
                        Filters.lte(HOUR, Date.from(to)), Filters.exists(field + "." + MIN_KWH))).sort(Sorts.ascending(HOUR)))
                .map(docs -> {
                    List<Instant> starts = new ArrayList<>();
                    List<Double> min = new ArrayList<>();
                    List<Double> max = new ArrayList<>();
                    for (Document d : docs) {
                        Document c = d.get(ROLLUP_CIRCUITS, Document.class).get(circuitId, Document.class);
                        starts.add(d.getDate(HOUR).toInstant());
                        min.add(((Number) c.get(MIN_KWH)).doubleValue());
                        max.add(((Number) c.get(MAX_KWH)).doubleValue());
                    }
                    List<ScheduleCompliance.HourUse> uses = new ArrayList<>(ScheduleCompliance.uses(starts, min, max));
                    uses.removeIf(u -> !u.start().isBefore(to));
                    return ScheduleCompliance.judge(schedule, day, uses);
                });
    }
}
