package dev.ims.portal.command;

import dev.ims.portal.store.MeterDocs;
import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.command.CommandState;
import dev.ims.model.log.LogSafe;
import dev.ims.model.reading.RelayState;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The staff's supply relay requests with their safeguards ({@link RelayPolicy}): the interlock (ON while the meter reports a
 * fault or has an open tamper alarm needs an override with a reason), the "do not disconnect" flag (OFF then waits for a
 * second staff member's approval), and the approvals themselves. Every decision is kept on the command and in its
 * {@code history}; the flag's settings and clearings on the meter ({@code doNotDisconnectLog}).
 */
public final class RelayOperations {

    private static final Logger LOG = LoggerFactory.getLogger(RelayOperations.class);

    private final MongoDatabase db;
    private final CommandService commands;
    private final Duration approvalValidity;

    public RelayOperations(MongoDatabase db, CommandService commands, Duration approvalValidity) {
        this.db = db;
        this.commands = commands;
        this.approvalValidity = approvalValidity;
    }

    public CommandService commands() {
        return commands;
    }

    /**
     * A staff request for one meter's supply relay.
     *
     * @param meter the meter document (visible to staff, not decommissioned: the caller checked)
     * @param overrideReason the request's interlock override reason (validated), or null
     * @return the command sent, queued, or awaiting approval; fails with a 409 carrying {@code interlock} when refused
     */
    public Future<CommandService.Sent> request(Document meter, RelayState relay, String reason, String overrideReason, String requestedBy,
            Duration queueValidity) {
        if (!commands.canSend()) {
            return Future.failedFuture(new HttpError(503, "commands need a broker: MQTT_URL is not set for the portal"));
        }
        String meterId = meter.getString(ID);
        return interlock(meter).compose(interlock -> {
            RelayPolicy.Decision d = RelayPolicy.decide(relay, interlock, meter.get(DO_NOT_DISCONNECT, Document.class), overrideReason);
            if (d instanceof RelayPolicy.Refused r) {
                return Future.failedFuture(refusal(meterId, r.interlock()));
            }
            if (d instanceof RelayPolicy.NeedsApproval n) {
                return awaitApproval(meterId, relay, reason, requestedBy, queueValidity, n.flag(), null);
            }
            RelayPolicy.Proceed p = (RelayPolicy.Proceed) d;
            return commands.send(meterId, MeterDocs.connectionState(meter), relay, reason, requestedBy, queueValidity,
                    p.overridden() == null ? null : new CommandService.Override(p.overridden(), overrideReason));
        });
    }

    /** The 409 of a refused ON: its message names the cause, its {@code interlock} field says it as data. */
    static HttpError refusal(String meterId, Interlock interlock) {
        return new HttpError(409, "interlock: meter " + meterId + " cannot be switched ON because " + interlock.describe()
                + "; send an override with a reason to switch it ON anyway").with(INTERLOCK, interlock.view());
    }

    /** The meter's interlock now: its document's newest reading, and its tamper alarm read by {@code _id}. */
    public Future<Interlock> interlock(Document meter) {
        return Mongo.first(db.getCollection(ALARMS).find(Filters.eq(ID, Interlock.tamperAlarmId(meter.getString(ID)))).projection(
                Projections.include(ID))).map(alarm -> Interlock.of(meter, alarm));
    }

    /** The open tamper alarms among {@code meterIds}' (one read by {@code _id}s), by meter ID. */
    public Future<java.util.Set<String>> tampered(java.util.Collection<String> meterIds) {
        List<String> ids = meterIds.stream().map(Interlock::tamperAlarmId).toList();
        return Mongo.list(db.getCollection(ALARMS).find(Filters.in(ID, ids)).projection(Projections.include(ID)))
                .map(l -> l.stream().map(a -> a.getString(ID).substring(ALARM_TAMPER.length() + 1)).collect(java.util.stream.Collectors.toSet()));
    }

    /** An OFF for a flagged meter, stored {@code AWAITING_APPROVAL} until the approval deadline. */
    Future<CommandService.Sent> awaitApproval(String meterId, RelayState relay, String reason, String requestedBy, Duration queueValidity,
            Document flag, String bulkId) {
        Document command = awaitingApproval(meterId, relay, reason, requestedBy, queueValidity, flag, bulkId);
        // Logged by the caller, with the other outcomes of a request.
        return commands.insert(command)
                .map(v -> new CommandService.Sent(command.getString(ID), CommandState.AWAITING_APPROVAL, command.getDate(EXPIRES_AT).toInstant()));
    }

    Document awaitingApproval(String meterId, RelayState relay, String reason, String requestedBy, Duration queueValidity, Document flag,
            String bulkId) {
        Instant until = commands.clock().instant().plus(approvalValidity).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Document fields = new Document(APPROVAL, new Document(FLAG, flag).append(UNTIL, Date.from(until)));
        if (bulkId != null) {
            fields.append(BULK_ID, bulkId);
        }
        return commands.unsigned(meterId, relay, reason, requestedBy, queueValidity, CommandState.AWAITING_APPROVAL, until, fields,
                "requested by " + requestedBy + ": switch " + relay + " (" + reason + "); the meter is flagged do not disconnect (by "
                        + flag.getString(BY) + ": " + flag.getString(REASON) + "): waiting for a second staff member's approval until " + until);
    }

    /**
     * A second staff member approves a command awaiting approval: it is signed and sent (or queued for an offline meter).
     *
     * @return 404 unknown, 403 the requester themselves, 409 not awaiting approval (decided, expired)
     */
    public Future<CommandService.Sent> approve(String commandId, String approver, String note) {
        return awaiting(commandId, approver, true).compose(c -> Mongo.first(db.getCollection(METERS).find(Filters.eq(ID, c.getString(METER_ID))))
                .compose(meter -> {
                    if (meter == null || MeterDocs.isDecommissioned(meter)) {
                        return Future.failedFuture(new HttpError(409, "meter " + c.getString(METER_ID) + " was decommissioned: it takes no commands"));
                    }
                    Instant now = commands.clock().instant();
                    String detail = "approved by " + approver + (note == null ? "" : " (" + note + ")") + ": switch " + c.getString(RELAY);
                    return commands.release(c, CommandState.AWAITING_APPROVAL, MeterDocs.connectionState(meter), approver, detail,
                            Updates.combine(Updates.set(APPROVAL + "." + "decision", "APPROVED"), Updates.set(APPROVAL + "." + BY, approver),
                                    Updates.set(APPROVAL + "." + AT, Date.from(now)), Updates.set(APPROVAL + "." + NOTE, note)));
                })
                .compose(sent -> {
                    if (sent == null) {
                        return Future.failedFuture(new HttpError(409, "command " + commandId + " was decided meanwhile or its approval expired"));
                    }
                    LOG.info("Relay command {} approved by {}: {}", commandId, LogSafe.of(approver), sent.state());
                    return Future.succeededFuture(sent);
                }));
    }

    /** Rejects a command awaiting approval (its requester may withdraw it so): {@code REJECTED}, never sent. */
    public Future<Document> reject(String commandId, String by, String note) {
        return awaiting(commandId, by, false).compose(c -> {
            boolean own = by.equals(c.getString(REQUESTED_BY));
            Instant now = commands.clock().instant();
            String detail = (own ? "withdrawn by its requester " : "rejected by ") + by + (note == null ? "" : " (" + note + ")");
            return commands.close(commandId, CommandState.AWAITING_APPROVAL, CommandState.REJECTED, by, detail, Filters.gt(EXPIRES_AT, Date.from(now)),
                    Updates.combine(Updates.set(APPROVAL + ".decision", "REJECTED"), Updates.set(APPROVAL + "." + BY, by),
                            Updates.set(APPROVAL + "." + AT, Date.from(now)), Updates.set(APPROVAL + "." + NOTE, note)));
        }).compose(moved -> {
            if (!moved) {
                return Future.failedFuture(new HttpError(409, "command " + commandId + " was decided meanwhile or its approval expired"));
            }
            LOG.info("Relay command {} rejected by {}", commandId, LogSafe.of(by));
            return commands.find(commandId);
        });
    }

    /** The command when it awaits approval and {@code who} may decide it, else the fitting error. */
    private Future<Document> awaiting(String commandId, String who, boolean approving) {
        return commands.find(commandId).compose(c -> {
            if (c == null) {
                return Future.failedFuture(HttpError.notFound("no command " + commandId));
            }
            if (!CommandState.AWAITING_APPROVAL.name().equals(c.getString(STATE))) {
                return Future.failedFuture(new HttpError(409, "command " + commandId + " is " + c.getString(STATE) + ", not awaiting approval"));
            }
            if (!c.getDate(EXPIRES_AT).toInstant().isAfter(commands.clock().instant())) {
                return expire(c).transform(x -> Future.failedFuture(new HttpError(409, "command " + commandId + "'s approval expired at "
                        + c.getDate(EXPIRES_AT).toInstant())));
            }
            if (approving && who.equals(c.getString(REQUESTED_BY))) {
                return Future.failedFuture(new HttpError(403, "a second staff member must approve: " + who + " requested command " + commandId));
            }
            return Future.succeededFuture(c);
        });
    }

    private Future<Boolean> expire(Document c) {
        Instant until = c.getDate(EXPIRES_AT).toInstant();
        return commands.close(c.getString(ID), CommandState.AWAITING_APPROVAL, CommandState.EXPIRED, null,
                "no staff member approved or rejected it before " + until, Filters.lte(EXPIRES_AT, Date.from(commands.clock().instant())), null);
    }

    /** Commands awaiting approval past their deadline: {@code EXPIRED}. On the delivery sweep. */
    public Future<Integer> expireApprovals() {
        Date now = Date.from(commands.clock().instant());
        return Mongo.list(db.getCollection(COMMANDS).find(Filters.and(Filters.eq(STATE, CommandState.AWAITING_APPROVAL.name()),
                        Filters.lte(EXPIRES_AT, now))))
                .compose(l -> Future.all(l.stream().map(this::expire).toList()).map(all -> {
                    int n = (int) all.list().stream().filter(Boolean.TRUE::equals).count();
                    if (n > 0) {
                        LOG.info("{} relay command(s) awaiting approval expired undecided", n);
                    }
                    return n;
                }));
    }

    /** Commands in {@code state}, newest first. */
    public Future<List<Document>> inState(CommandState state, int limit) {
        return Mongo.list(db.getCollection(COMMANDS).find(Filters.eq(STATE, state.name())).sort(Sorts.descending(REQUESTED_AT)).limit(limit));
    }

    /**
     * Flags a meter "do not disconnect" ({@code doNotDisconnect {by, at, reason}}, replacing an earlier flag), logged on the
     * meter. The ingest's writes to the meter document leave both fields alone (they set their own fields only).
     */
    public Future<Document> flag(String meterId, String by, String reason) {
        Date now = Date.from(commands.clock().instant());
        Document flag = new Document(BY, by).append(AT, now).append(REASON, reason);
        return Mongo.first(db.getCollection(METERS).updateOne(Filters.eq(ID, meterId), Updates.combine(Updates.set(DO_NOT_DISCONNECT, flag),
                        Updates.push(DO_NOT_DISCONNECT_LOG, new Document(ACTION, "SET").append(BY, by).append(AT, now).append(REASON, reason)))))
                .map(r -> {
                    LOG.info("Meter {} flagged do not disconnect by {}", LogSafe.of(meterId), LogSafe.of(by));
                    return flag;
                });
    }

    /**
     * Clears the flag (logged); a meter without one is left as it is.
     *
     * @param meter the meter document as just read
     * @return whether a flag was cleared
     */
    public Future<Boolean> unflag(Document meter, String by, String reason) {
        if (meter.get(DO_NOT_DISCONNECT) == null) {
            return Future.succeededFuture(false);
        }
        String meterId = meter.getString(ID);
        Date now = Date.from(commands.clock().instant());
        return Mongo.first(db.getCollection(METERS).updateOne(Filters.eq(ID, meterId), Updates.combine(Updates.unset(DO_NOT_DISCONNECT),
                        Updates.push(DO_NOT_DISCONNECT_LOG, new Document(ACTION, "CLEARED").append(BY, by).append(AT, now).append(REASON, reason)))))
                .map(r -> {
                    LOG.info("Meter {}: do not disconnect cleared by {}", LogSafe.of(meterId), LogSafe.of(by));
                    return true;
                });
    }

    /**
     * What the meter page's relay section shows staff besides the commands: {@code interlock} ({@link Interlock#view} and
     * {@code text}, or null), {@code doNotDisconnect} ({@code by, at, reason}, or null) and {@code awaiting}, the meter's
     * commands awaiting approval (as {@link CommandService#view}).
     */
    public Future<Map<String, Object>> section(Document meter) {
        String meterId = meter.getString(ID);
        Future<Interlock> interlock = interlock(meter);
        Future<List<Document>> awaiting = Mongo.list(db.getCollection(COMMANDS).find(Filters.and(Filters.eq(METER_ID, meterId),
                Filters.eq(STATE, CommandState.AWAITING_APPROVAL.name()))).sort(Sorts.ascending(REQUESTED_AT)));
        return Future.all(interlock, awaiting).map(v -> {
            Map<String, Object> out = new java.util.HashMap<>();
            Interlock i = interlock.result();
            if (i.active()) {
                Map<String, Object> view = new java.util.HashMap<>(i.view());
                view.put("text", i.describe());
                out.put("interlock", view);
            }
            Document flag = meter.get(DO_NOT_DISCONNECT, Document.class);
            if (flag != null) {
                out.put("doNotDisconnect", dev.ims.portal.web.Responses.plain(flag));
            }
            out.put("awaiting", awaiting.result().stream().map(d -> CommandService.view(d, true)).toList());
            return out;
        });
    }
}
