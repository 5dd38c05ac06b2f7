package dev.ims.portal.command;

import dev.ims.portal.store.MeterDocs;
import static dev.ims.model.storage.StoreSchema.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.command.CommandState;
import dev.ims.model.log.LogSafe;
import dev.ims.model.meter.MeterIds;
import dev.ims.model.reading.RelayState;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import dev.ims.portal.web.Params;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk supply relay requests: one reason (and optionally one interlock override) for up to
 * {@value CommandOptions#MAX_BULK_METERS} meters. Each meter's command is decided by the same rules as a single one
 * ({@link RelayPolicy}): an interlocked ON without override is refused for that meter, an OFF for a "do not disconnect"
 * meter waits for approval; the rest are stored {@code HELD} (not signed) and released by this portal's timer at
 * {@link CommandOptions#bulkPerSecond()} commands a second over all its bulks, oldest bulk first, each then tracked like
 * any command ({@link CommandService#release}).
 *
 * <p>The bulk's document ({@code bulks}) keeps the command IDs in release order, how many were released and a heartbeat the
 * releasing portal renews every tick. The releasing portal's own queue is in memory: when it stops, what it had not
 * released stays {@code HELD}, never sent, and the bulk shows as {@code INTERRUPTED} with the count not released once its
 * heartbeat is stale. Nothing resumes it (staff send a new bulk for what is left).
 *
 * <p>Threading: requests (on the HTTP server's event loops) add to the queue, the release step (on the timer's) takes from it;
 * the queue is a concurrent one, and only the release step moves a bulk on ({@code next}), one step at a time. Two bulks
 * submitted at the same moment by one staff member may both pass the per-user limit: it bounds what one person starts, it
 * is not a lock.
 */
public final class BulkCommands {

    private static final Logger LOG = LoggerFactory.getLogger(BulkCommands.class);

    /** A bulk whose heartbeat is older than this many ticks (and {@link #MIN_STALE}) is no longer released by anyone. */
    static final int STALE_TICKS = 5;
    static final Duration MIN_STALE = Duration.ofSeconds(10);

    /**
     * A validated bulk request.
     *
     * @param meterIds distinct, in the order given
     * @param overrideReason the interlock override's reason for every meter of an ON, or null
     */
    public record Request(List<String> meterIds, RelayState relay, String reason, String overrideReason, Duration queueValidity) {}

    /** A bulk this portal releases: its held commands in order and how many it released. */
    private static final class Running {
        final String bulkId;
        final String user;
        final List<String> commandIds;
        volatile int next;

        Running(String bulkId, String user, List<String> commandIds) {
            this.bulkId = bulkId;
            this.user = user;
            this.commandIds = commandIds;
        }
    }

    private final MongoDatabase db;
    private final RelayOperations operations;
    private final CommandOptions options;
    private final Deque<Running> running = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private long timer = -1;
    private Vertx vertx;
    private volatile boolean ticking;
    private double carry;

    public BulkCommands(MongoDatabase db, RelayOperations operations, CommandOptions options) {
        this.db = db;
        this.operations = operations;
        this.options = options;
    }

    /** Starts the release timer (every {@link CommandOptions#releaseTick()}). */
    public BulkCommands start(Vertx vertx) {
        this.vertx = vertx;
        timer = vertx.setPeriodic(options.releaseTick().toMillis(), id -> tick());
        return this;
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** How many commands one tick releases: the rate times the tick, fractions carried over to the next tick. */
    private int budget() {
        carry += options.bulkPerSecond() * options.releaseTick().toMillis() / 1000.0;
        int whole = (int) Math.floor(carry);
        carry -= whole;
        return whole;
    }

    /**
     * One release step (what the timer runs): up to the tick's budget of held commands, oldest bulk first, each signed and
     * published (or queued for an offline meter); then the running bulks' heartbeats and counts. A step still running when
     * the next is due makes that one skip (its budget is not carried: the rate is an upper bound).
     *
     * @return how many commands this step released
     */
    public Future<Integer> tick() {
        int budget = budget();
        if (ticking || running.isEmpty()) {
            return Future.succeededFuture(0);
        }
        ticking = true;
        Map<Running, List<String>> batch = new LinkedHashMap<>();
        int left = budget;
        for (Running r : running) {
            if (left == 0) {
                break;
            }
            int n = Math.min(left, r.commandIds.size() - r.next);
            batch.put(r, r.commandIds.subList(r.next, r.next + n));
            r.next += n;
            left -= n;
        }
        List<String> ids = batch.values().stream().flatMap(List::stream).toList();
        return release(ids, batch).compose(released -> heartbeat().map(released)).onComplete(r -> {
            ticking = false;
            if (r.failed()) {
                LOG.warn("Bulk release step failed: {}", LogSafe.of(r.cause().toString()));
            }
        });
    }

    private Future<Integer> release(List<String> ids, Map<Running, List<String>> batch) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(0);
        }
        return Mongo.list(db.getCollection(COMMANDS).find(Filters.in(ID, ids))).compose(docs -> {
            List<String> meterIds = docs.stream().map(d -> d.getString(METER_ID)).distinct().toList();
            return Mongo.list(db.getCollection(METERS).find(Filters.in(ID, meterIds))
                            .projection(Projections.include(ID, CONNECTION_LAST, CONNECTION, DECOMMISSIONED)))
                    .compose(meters -> {
                        Map<String, Document> byId = new java.util.HashMap<>();
                        meters.forEach(m -> byId.put(m.getString(ID), m));
                        Map<String, Document> commands = new java.util.HashMap<>();
                        docs.forEach(d -> commands.put(d.getString(ID), d));
                        List<Future<Boolean>> each = new ArrayList<>();
                        for (Map.Entry<Running, List<String>> e : batch.entrySet()) {
                            Running r = e.getKey();
                            for (String id : e.getValue()) {
                                Document c = commands.get(id);
                                if (c != null) {
                                    each.add(releaseOne(r, c, byId.get(c.getString(METER_ID))));
                                }
                            }
                        }
                        return Future.join(each).transform(x -> Future.succeededFuture(
                                (int) each.stream().filter(f -> f.succeeded() && Boolean.TRUE.equals(f.result())).count()));
                    });
        }).compose(released -> {
            List<Future<?>> counts = new ArrayList<>();
            for (Map.Entry<Running, List<String>> e : batch.entrySet()) {
                Running r = e.getKey();
                boolean done = r.next == r.commandIds.size();
                List<org.bson.conversions.Bson> u = new ArrayList<>(List.of(Updates.inc(RELEASED, e.getValue().size())));
                if (done) {
                    running.remove(r);
                    u.add(Updates.set(STATE, "DONE"));
                    u.add(Updates.set(FINISHED_AT, Date.from(now())));
                    LOG.info("Bulk {} by {}: all {} command(s) released", r.bulkId, LogSafe.of(r.user), r.commandIds.size());
                }
                counts.add(Mongo.first(db.getCollection(BULKS).updateOne(Filters.eq(ID, r.bulkId), Updates.combine(u))));
            }
            return Future.all(counts).map(released);
        });
    }

    /** Releases one held command; a meter decommissioned meanwhile gets it rejected, never sent. @return whether it was released */
    private Future<Boolean> releaseOne(Running r, Document c, Document meter) {
        CommandService commands = operations.commands();
        if (meter == null || MeterDocs.isDecommissioned(meter)) {
            return commands.close(c.getString(ID), CommandState.HELD, CommandState.REJECTED, null,
                    "not released from bulk " + r.bulkId + ": the meter was decommissioned", null, null).map(false);
        }
        return commands.release(c, CommandState.HELD, MeterDocs.connectionState(meter), r.user, "released from bulk " + r.bulkId, null)
                .map(sent -> sent != null);
    }

    private Future<Void> heartbeat() {
        if (running.isEmpty()) {
            return Future.succeededFuture();
        }
        return Mongo.first(db.getCollection(BULKS).updateMany(Filters.in(ID, running.stream().map(r -> r.bulkId).toList()),
                Updates.set(HEARTBEAT, Date.from(now())))).mapEmpty();
    }

    private Instant now() {
        return operations.commands().clock().instant();
    }

    /**
     * A JSON body {@code {"meterIds":[...], "relay", "reason", "override"?: {"reason"}, "validForHours"?|"validForMinutes"?}}
     * validated: 400 naming what is wrong.
     */
    public static Request parse(JsonNode body) {
        JsonNode ids = body.get("meterIds");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > CommandOptions.MAX_BULK_METERS) {
            throw HttpError.badRequest("meterIds must be a list of 1 to " + CommandOptions.MAX_BULK_METERS + " meter IDs");
        }
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            if (!id.isTextual() || !MeterIds.isValid(id.asText())) {
                throw HttpError.badRequest("meterIds[" + i + "] must be a meter ID matching [A-Za-z0-9_-]{3,64}");
            }
            distinct.add(id.asText());
        }
        JsonNode relay = body.get("relay");
        RelayState r = CommandRoutes.relay(relay != null && relay.isTextual() ? relay.asText() : null);
        JsonNode reason = body.get("reason");
        String why = Params.reason(reason != null && reason.isTextual() ? reason.asText() : null);
        return new Request(List.copyOf(distinct), r, why, CommandRoutes.overrideReason(body.get("override")),
                CommandRoutes.queueValidity(body.get("validForHours"), body.get("validForMinutes")));
    }

    /** The form's fields: meter IDs separated by white space or commas, one per line as pasted. */
    public static Request parseForm(String meterIds, String relay, String reason, String overrideReason, String validForHours) {
        List<String> ids = meterIds == null ? List.of() : java.util.Arrays.stream(meterIds.split("[\\s,;]+")).filter(s -> !s.isEmpty()).toList();
        com.fasterxml.jackson.databind.node.ObjectNode body = dev.ims.model.json.Json.mapper().createObjectNode();
        ids.forEach(body.putArray("meterIds")::add);
        if (ids.isEmpty()) {
            body.putArray("meterIds");
        }
        body.put("relay", relay);
        body.put("reason", reason);
        if (overrideReason != null && !overrideReason.isBlank()) {
            body.putObject("override").put("reason", overrideReason);
        }
        if (validForHours != null && !validForHours.isBlank()) {
            try {
                body.put("validForHours", Long.parseLong(validForHours.strip()));
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("validForHours must be a whole number from 1 to " + CommandService.MAX_QUEUE_VALIDITY.toHours());
            }
        }
        return parse(body);
    }

    /**
     * Accepts a bulk: each meter's command decided and stored, the bulk stored, the held commands queued for release here.
     * 429 when {@code user} already runs {@link CommandOptions#bulksPerUser()} bulks.
     *
     * @return the bulk's view ({@link #view})
     */
    public Future<Map<String, Object>> submit(Request request, String user) {
        if (!operations.commands().canSend()) {
            return Future.failedFuture(new HttpError(503, "commands need a broker: MQTT_URL is not set for the portal"));
        }
        return runningOf(user).compose(n -> {
            if (n >= options.bulksPerUser()) {
                long left = running.stream().mapToLong(r -> r.commandIds.size() - r.next).sum();
                return Future.failedFuture(HttpError.tooMany("you have " + n + " bulk request(s) running, the most one staff member may have at once",
                        Duration.ofSeconds(Math.max(1, left / options.bulkPerSecond()))));
            }
            return accept(request, user);
        });
    }

    /** Bulks of {@code user} released now by any portal (state RUNNING with a fresh heartbeat). */
    private Future<Integer> runningOf(String user) {
        Date fresh = Date.from(now().minus(stale()));
        return Mongo.list(db.getCollection(BULKS).find(Filters.and(Filters.eq(REQUESTED_BY, user), Filters.eq(STATE, "RUNNING"),
                Filters.gt(HEARTBEAT, fresh))).projection(Projections.include(ID))).map(l -> {
                    long mine = running.stream().filter(r -> r.user.equals(user)).count();
                    return (int) Math.max(l.size(), mine);
                });
    }

    private Duration stale() {
        Duration d = options.releaseTick().multipliedBy(STALE_TICKS);
        return d.compareTo(MIN_STALE) < 0 ? MIN_STALE : d;
    }

    private Future<Map<String, Object>> accept(Request request, String user) {
        String bulkId = UUID.randomUUID().toString();
        Future<List<Document>> meters = Mongo.list(db.getCollection(METERS).find(Filters.in(ID, request.meterIds())).projection(
                Projections.include(ID, LATEST + "." + STATUS, LATEST + "." + FAULT, LATEST + "." + TS, DO_NOT_DISCONNECT, DECOMMISSIONED)));
        Future<java.util.Set<String>> tampered = request.relay() == RelayState.ON ? operations.tampered(request.meterIds())
                : Future.succeededFuture(java.util.Set.of());
        return Future.all(meters, tampered).compose(v -> {
            Map<String, Document> byId = new java.util.HashMap<>();
            meters.result().forEach(m -> byId.put(m.getString(ID), m));
            List<Document> held = new ArrayList<>();
            List<Document> approvals = new ArrayList<>();
            List<Map<String, Object>> refused = new ArrayList<>();
            for (String id : request.meterIds()) {
                Document m = byId.get(id);
                if (m == null) {
                    refused.add(refusal(id, "no meter " + id, null));
                    continue;
                }
                if (MeterDocs.isDecommissioned(m)) {
                    refused.add(refusal(id, "meter " + id + " was decommissioned: it takes no commands", null));
                    continue;
                }
                Interlock interlock = Interlock.of(m, tampered.result().contains(id) ? new Document(ID, Interlock.tamperAlarmId(id)) : null);
                RelayPolicy.Decision d = RelayPolicy.decide(request.relay(), interlock, m.get(DO_NOT_DISCONNECT, Document.class),
                        request.overrideReason());
                if (d instanceof RelayPolicy.Refused r) {
                    refused.add(refusal(id, RelayOperations.refusal(id, r.interlock()).getMessage(), r.interlock().view()));
                } else if (d instanceof RelayPolicy.NeedsApproval n) {
                    approvals.add(operations.awaitingApproval(id, request.relay(), request.reason(), user, request.queueValidity(), n.flag(), bulkId));
                } else if (d instanceof RelayPolicy.Proceed p) {
                    Document fields = new Document(BULK_ID, bulkId);
                    String detail = "requested by " + user + " in bulk " + bulkId + ": switch " + request.relay() + " (" + request.reason() + ")";
                    if (p.overridden() != null) {
                        fields.append(OVERRIDE, new Document(BY, user).append(AT, Date.from(now())).append(REASON, request.overrideReason())
                                .append(INTERLOCK, p.overridden().document()));
                        detail += "; interlock overridden (" + p.overridden().describe() + "): " + request.overrideReason();
                    }
                    held.add(operations.commands().unsigned(id, request.relay(), request.reason(), user, request.queueValidity(),
                            CommandState.HELD, null, fields, detail + "; held for release at " + options.bulkPerSecond() + " a second"));
                }
            }
            Instant now = now();
            List<String> heldIds = held.stream().map(d -> d.getString(ID)).toList();
            Document bulk = new Document(ID, bulkId).append(REQUESTED_BY, user).append(REQUESTED_AT, Date.from(now))
                    .append(RELAY, request.relay().name()).append(REASON, request.reason())
                    .append(OVERRIDE, request.overrideReason() == null ? null : new Document(REASON, request.overrideReason()))
                    .append(BULK_COMMANDS, heldIds).append("awaitingApproval", approvals.stream().map(d -> d.getString(ID)).toList())
                    .append(REFUSED, refused).append(RELEASED, 0).append(STATE, heldIds.isEmpty() ? "DONE" : "RUNNING")
                    .append(HEARTBEAT, Date.from(now)).append("perSecond", options.bulkPerSecond());
            if (heldIds.isEmpty()) {
                bulk.append(FINISHED_AT, Date.from(now));
            }
            List<Document> all = new ArrayList<>(held);
            all.addAll(approvals);
            return Mongo.first(db.getCollection(BULKS).insertOne(bulk))
                    .compose(x -> all.isEmpty() ? Future.succeededFuture() : Mongo.first(db.getCollection(COMMANDS).insertMany(all)))
                    .compose(x -> {
                        if (!heldIds.isEmpty()) {
                            running.add(new Running(bulkId, user, heldIds));
                        }
                        LOG.info("Bulk {} by {}: relay {} for {} meter(s): {} held for release, {} awaiting approval, {} refused", bulkId,
                                LogSafe.of(user), request.relay(), request.meterIds().size(), heldIds.size(), approvals.size(), refused.size());
                        return view(bulkId);
                    });
        });
    }

    private static Map<String, Object> refusal(String meterId, String error, Map<String, Object> interlock) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("meterId", meterId);
        m.put("error", error);
        if (interlock != null) {
            m.put(INTERLOCK, interlock);
        }
        return m;
    }

    /**
     * A bulk as the API shows it: {@code bulkId}, who and when, {@code relay}, {@code reason}, {@code state} ({@code RUNNING},
     * {@code DONE}, or {@code INTERRUPTED}: its releasing portal stopped), {@code total} (commands held for release),
     * {@code released}, {@code notReleased} (held and no longer being released), {@code awaitingApproval},
     * {@code refused}, {@code counts} by command state and each command's {@code meterId}, {@code state}, {@code error}.
     *
     * @return null when there is no such bulk
     */
    public Future<Map<String, Object>> view(String bulkId) {
        return Mongo.first(db.getCollection(BULKS).find(Filters.eq(ID, bulkId))).compose(b -> {
            if (b == null) {
                return Future.succeededFuture(null);
            }
            List<String> held = b.getList(BULK_COMMANDS, String.class, List.of());
            List<String> approvals = b.getList("awaitingApproval", String.class, List.of());
            List<String> ids = new ArrayList<>(held);
            ids.addAll(approvals);
            Future<List<Document>> commands = ids.isEmpty() ? Future.succeededFuture(List.of())
                    : Mongo.list(db.getCollection(COMMANDS).find(Filters.in(ID, ids))
                            .projection(Projections.include(ID, METER_ID, STATE, ERROR, SENT_AT)));
            return commands.map(list -> {
                Map<String, Document> byId = new java.util.HashMap<>();
                list.forEach(c -> byId.put(c.getString(ID), c));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("bulkId", bulkId);
                out.put("requestedBy", b.getString(REQUESTED_BY));
                out.put("requestedAt", b.getDate(REQUESTED_AT).toInstant().toString());
                out.put("relay", b.getString(RELAY));
                out.put("reason", b.getString(REASON));
                Document override = b.get(OVERRIDE, Document.class);
                out.put("override", override == null ? null : Map.of("reason", override.getString(REASON)));
                out.put("perSecond", b.getInteger("perSecond", options.bulkPerSecond()));
                int released = b.getInteger(RELEASED, 0);
                String state = b.getString(STATE);
                if ("RUNNING".equals(state) && b.getDate(HEARTBEAT).toInstant().isBefore(now().minus(stale()))) {
                    state = "INTERRUPTED";
                }
                out.put("state", state);
                out.put("accepted", held.size() + approvals.size());
                out.put("total", held.size());
                out.put("released", released);
                long stillHeld = held.stream().map(byId::get).filter(c -> c != null && CommandState.HELD.name().equals(c.getString(STATE))).count();
                out.put("notReleased", "INTERRUPTED".equals(state) ? stillHeld : 0);
                out.put("awaitingApproval", approvals.size());
                out.put("refused", b.getList(REFUSED, Document.class, List.of()).stream().map(dev.ims.portal.web.Responses::plain).toList());
                Map<String, Integer> counts = new java.util.TreeMap<>();
                List<Map<String, Object>> each = new ArrayList<>();
                for (String id : ids) {
                    Document c = byId.get(id);
                    Map<String, Object> one = new LinkedHashMap<>();
                    one.put("commandId", id);
                    one.put("meterId", c == null ? null : c.getString(METER_ID));
                    one.put("state", c == null ? "MISSING" : c.getString(STATE));
                    one.put("error", c == null ? "the command was never stored" : c.getString(ERROR));
                    one.put("sentAt", c == null || c.getDate(SENT_AT) == null ? null : c.getDate(SENT_AT).toInstant().toString());
                    counts.merge((String) one.get("state"), 1, Integer::sum);
                    each.add(one);
                }
                out.put("counts", counts);
                out.put("commands", each);
                if (b.getDate(FINISHED_AT) != null) {
                    out.put("finishedAt", b.getDate(FINISHED_AT).toInstant().toString());
                }
                return out;
            });
        });
    }

    /** The newest bulks (of any staff member), newest first, as summaries (no per-command list). */
    public Future<List<Document>> recent(int limit) {
        return Mongo.list(db.getCollection(BULKS).find().sort(Sorts.descending(REQUESTED_AT)).limit(limit)
                .projection(Projections.exclude(BULK_COMMANDS, "awaitingApproval", REFUSED)));
    }
}
