package dev.ims.portal.circuit;

import dev.ims.portal.store.MeterDocs;
import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.circuit.Schedule;
import dev.ims.model.json.Json;
import dev.ims.model.reading.RelayState;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.command.CommandService;
import dev.ims.portal.store.UsageRepository;
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
 * meter and circuit in {@code circuitSchedules} ({@code _id} {@code meterId/circuitId}) and judges whether it was followed
 * from the day documents' hours.
 */
public final class CircuitControlService {

    /**
     * The meter document's circuit descriptions ({@code [{id,name,kind,critical,switchable}]}), written by the ingest
     * from the meter's birth status (contract "added with circuits").
     */
    static final String METER_CIRCUITS = "circuits";

    /** Days a schedule is in force before the saving it achieved is shown (and as many days before it are the baseline). */
    public static final int DEFAULT_SAVING_DAYS = 28;

    /** The advice's estimate of what a schedule saves (see the advice package), or null when it offers none. */
    @FunctionalInterface
    public interface SavingEstimates {
        Future<Estimate> estimate(Document meter, String circuitId, String preset);
    }

    /**
     * What the advice predicted when the schedule was accepted.
     *
     * @param perMonth the estimated saving a month, VAT included
     * @param day the circuit's last complete day the advice priced, or null (then the other day fields are null too)
     * @param dayKwh the circuit's kWh that day
     * @param dayCostBefore what they cost that day
     * @param dayCostAfter what the same kWh would have cost in the schedule's hours
     */
    public record Estimate(double perMonth, LocalDate day, Double dayKwh, Double dayCostBefore, Double dayCostAfter) {}

    private volatile CircuitService circuits;
    private volatile int savingDays = DEFAULT_SAVING_DAYS;
    private volatile SavingEstimates estimates;

    private final MongoDatabase db;
    private final UsageRepository repository;
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
        this.repository = new UsageRepository(db, new UsageCalendar(zone));
    }

    public ZoneId zone() {
        return zone;
    }

    /**
     * Shows each schedule's saving achieved once it has been in force for {@code days} complete days ({@link SavingAchieved}).
     */
    public CircuitControlService withSavings(CircuitService circuits, int days) {
        if (days < 1) {
            throw new IllegalArgumentException("saving days must be at least 1");
        }
        this.circuits = circuits;
        this.savingDays = days;
        return this;
    }

    /** Where a schedule set from advice takes its estimated saving from. */
    public CircuitControlService withEstimates(SavingEstimates estimates) {
        this.estimates = estimates;
        return this;
    }

    /**
     * The circuit's description when the meter may switch it remotely; else a 409 that says why (unknown, critical,
     * without relay), or when the meter was decommissioned.
     */
    static Document switchable(Document meter, String circuitId) {
        String meterId = meter.getString(ID);
        if (MeterDocs.isDecommissioned(meter)) {
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
        return commands.sendCircuit(meter.getString(ID), MeterDocs.connectionState(meter), circuitId, relay, reason, owner,
                CommandService.DEFAULT_QUEUE_VALIDITY);
    }

    /**
     * What the owner asked for; {@code windows} for CUSTOM only. {@code fromAdvice}: accepted from the advice's offer, so
     * the advice's estimate is kept with it.
     */
    public record ScheduleRequest(SchedulePresets.Preset preset, Integer hours, List<Schedule.Window> windows, boolean fromAdvice) {

        public ScheduleRequest(SchedulePresets.Preset preset, Integer hours, List<Schedule.Window> windows) {
            this(preset, hours, windows, false);
        }
    }

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
            String reason = "schedule " + request.preset() + (request.hours() == null ? "" : " " + request.hours() + " h")
                    + (request.fromAdvice() ? " (from advice)" : "");
            SavingEstimates source = estimates;
            Future<Estimate> estimate = request.fromAdvice() && source != null
                    ? source.estimate(meter, circuitId, request.preset().name()) : Future.succeededFuture(null);
            return estimate.compose(saving -> commands.sendSchedule(meter.getString(ID), MeterDocs.connectionState(meter), circuitId,
                            schedule, reason, owner, CommandService.DEFAULT_QUEUE_VALIDITY)
                    .compose(sent -> keep(meter.getString(ID), circuitId, request.preset().name(), request.hours(), schedule, sent, owner,
                            saving)
                            .map(v -> {
                                Map<String, Object> out = view(sent, schedule, request.preset().name());
                                out.put("savingEstimated", saving == null ? null : saving.perMonth());
                                return out;
                            })));
        });
    }

    /** Sends the removal (a null schedule) and keeps that as the circuit's state. */
    public Future<Map<String, Object>> removeSchedule(Document meter, String circuitId, String owner) {
        switchable(meter, circuitId);
        return commands.sendSchedule(meter.getString(ID), MeterDocs.connectionState(meter), circuitId, null, "schedule removed", owner,
                        CommandService.DEFAULT_QUEUE_VALIDITY)
                .compose(sent -> keep(meter.getString(ID), circuitId, null, null, null, sent, owner, null).map(v -> view(sent, null, null)));
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

    /** A kept schedule's estimated saving per month (set from advice), or absent. */
    static final String SAVING_ESTIMATED = "savingEstimated";
    /** A kept schedule's predicted day (set from advice): the day, its kWh, its cost, and the cost in the schedule's hours. */
    static final String PREDICTED_DAY = "predictedDay";
    static final String PREDICTED_DAY_KWH = "predictedDayKwh";
    static final String PREDICTED_DAY_COST_BEFORE = "predictedDayCostBefore";
    static final String PREDICTED_DAY_COST_AFTER = "predictedDayCostAfter";

    private Future<Void> keep(String meterId, String circuitId, String preset, Integer hours, Schedule schedule, CommandService.Sent sent,
            String owner, Estimate estimate) {
        Document d = new Document(ID, scheduleId(meterId, circuitId)).append(METER_ID, meterId).append(COMMAND_CIRCUIT, circuitId)
                .append(PRESET, preset).append("hours", hours)
                .append(COMMAND_SCHEDULE, schedule == null ? null : Document.parse(schedule.toJson().toString()))
                .append(COMMAND_ID, sent.commandId()).append(REQUESTED_BY, owner).append(REQUESTED_AT, Date.from(clock.instant()))
                .append(SAVING_ESTIMATED, estimate == null ? null : estimate.perMonth())
                .append(PREDICTED_DAY, estimate == null || estimate.day() == null ? null : estimate.day().toString())
                .append(PREDICTED_DAY_KWH, estimate == null ? null : estimate.dayKwh())
                .append(PREDICTED_DAY_COST_BEFORE, estimate == null ? null : estimate.dayCostBefore())
                .append(PREDICTED_DAY_COST_AFTER, estimate == null ? null : estimate.dayCostAfter());
        return Mongo.first(db.getCollection(CIRCUIT_SCHEDULES).replaceOne(Filters.eq(ID, d.getString(ID)), d, new ReplaceOptions().upsert(true)))
                .mapEmpty();
    }

    /**
     * The meter's circuit schedules as kept, each with its command's state and whether it was followed yesterday:
     * {@code {circuit, preset, hours, schedule, commandId, state, requestedAt, savingEstimated, predictedDay?, predictedDayKwh?,
     * predictedDayCostBefore?, predictedDayCostAfter?, followedYesterday?}}.
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
                    v.put("savingEstimated", d.get(SAVING_ESTIMATED) instanceof Number n ? n.doubleValue() : null);
                    if (d.getString(PREDICTED_DAY) != null) {
                        v.put(PREDICTED_DAY, d.getString(PREDICTED_DAY));
                        for (String f : List.of(PREDICTED_DAY_KWH, PREDICTED_DAY_COST_BEFORE, PREDICTED_DAY_COST_AFTER)) {
                            v.put(f, d.get(f) instanceof Number n ? n.doubleValue() : null);
                        }
                    }
                    if (s == null) {
                        return Future.succeededFuture(v);
                    }
                    LocalDate setOn = d.getDate(REQUESTED_AT).toInstant().atZone(zone).toLocalDate();
                    return followed(meterId, d.getString(COMMAND_CIRCUIT), schedule(s), yesterday).compose(verdict -> {
                        v.put("followedYesterday", verdictView(verdict));
                        return saving(meterId, d.getString(COMMAND_CIRCUIT), setOn, yesterday.plusDays(1));
                    }).map(saving -> {
                        v.putAll(saving);
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
     * The saving the schedule set on {@code setOn} achieved ({@link SavingAchieved}): {@code savingDays}, {@code savingFrom} (the
     * first day it is shown), and once {@code today} is past the schedule's first {@code savingDays} complete days
     * {@code savingAchieved} (per month, or null without use before it to price against) with the kWh and costs it rests on.
     */
    private Future<Map<String, Object>> saving(String meterId, String circuitId, LocalDate setOn, LocalDate today) {
        CircuitService c = circuits;
        Map<String, Object> out = new LinkedHashMap<>();
        if (c == null) {
            return Future.succeededFuture(out);
        }
        int days = savingDays;
        LocalDate firstAfter = setOn.plusDays(1);
        LocalDate lastAfter = setOn.plusDays(days);
        out.put("savingDays", days);
        out.put("savingFrom", lastAfter.plusDays(1).toString());
        out.put("savingAchieved", null);
        if (!today.isAfter(lastAfter)) {
            return Future.succeededFuture(out);
        }
        return Future.all(c.hours(meterId, setOn.minusDays(days), lastAfter), tariffs.book()).map(v -> {
            Map<String, List<dev.ims.portal.tariff.HourUsage>> hours = v.resultAt(0);
            List<dev.ims.portal.tariff.HourUsage> all = hours.getOrDefault(circuitId, List.of());
            List<dev.ims.portal.tariff.HourUsage> before = all.stream().filter(h -> h.day().isBefore(setOn) && !h.day().isBefore(setOn.minusDays(days)))
                    .toList();
            List<dev.ims.portal.tariff.HourUsage> after = all.stream().filter(h -> !h.day().isBefore(firstAfter) && !h.day().isAfter(lastAfter))
                    .toList();
            SavingAchieved s = SavingAchieved.of(v.resultAt(1), before, after, days);
            out.put("savingAchieved", s.savingPerMonth());
            out.put("savingBasis", Map.of("beforeKwh", s.beforeKwh(), "beforeCost", s.beforeCost(), "afterKwh", s.afterKwh(),
                    "afterCost", s.afterCost()));
            return out;
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
     * Whether the circuit followed {@code schedule} on local {@code day} (in the schedule's zone), from its hourly use by
     * the rule of every other hourly figure ({@link CircuitService#hours}: an hour's highest register minus the highest
     * one before it), over the day documents' hours that start within the day.
     */
    public Future<ScheduleCompliance.Verdict> followed(String meterId, String circuitId, Schedule schedule, LocalDate day) {
        Instant from = day.atStartOfDay(schedule.zone()).toInstant();
        Instant to = day.plusDays(1).atStartOfDay(schedule.zone()).toInstant();
        UsageCalendar calendar = repository.calendar();
        return CircuitService.hours(repository, meterId, calendar.dayOf(from), calendar.dayOf(to.minusMillis(1)))
                .map(byCircuit -> ScheduleCompliance.judge(schedule, day,
                        ScheduleCompliance.uses(byCircuit.getOrDefault(circuitId, List.of()), from, to)));
    }
}
