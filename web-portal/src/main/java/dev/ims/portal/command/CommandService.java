package dev.ims.portal.command;

import dev.ims.portal.store.MeterDocs;
import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandState;
import dev.ims.model.circuit.Schedule;
import dev.ims.model.command.CircuitCommand;
import dev.ims.model.command.MeterCommand;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.command.ScheduleCommand;
import dev.ims.model.reading.RelayState;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Commands in the {@code commands} collection (the supply relay's, and circuits' switches and schedules, told apart by
 * {@code type}): created here {@code PENDING} (published at once) or,
 * for a meter that is offline, {@code QUEUED} (published by {@link #deliverQueued} when it comes online), with
 * who asked and why; then moved on only by the ingest, from the meter's acknowledgement and readings. The
 * documents, with their {@code history}, are the audit trail.
 *
 * <p>Every command is signed for its meter ({@link CommandSigner}), valid from its {@code ts} (the request's
 * time, to the millisecond) until {@code expiresAt} = {@code ts} + the validity (5 minutes when published at
 * once; what staff chose, 1 minute to 168 hours, when queued). The signed wire fields are
 * stored with the command ({@code signed}: {@code ts}, {@code expiresAt}, {@code keyId}, {@code sig}), so that
 * {@link #wireCommand} re-creates the published payload unchanged for a later delivery.
 */
public final class CommandService {

    /**
     * How long a command published at once (its meter online) stays valid: as long as a meter's clock skew
     * on {@code ts}. A queued command is valid for what staff chose ({@link #DEFAULT_QUEUE_VALIDITY}).
     */
    public static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(5);

    /** How long a command for an offline meter waits for it unless staff choose otherwise. */
    public static final Duration DEFAULT_QUEUE_VALIDITY = Duration.ofHours(24);
    /** The shortest validity staff may choose for a queued command. */
    public static final Duration MIN_QUEUE_VALIDITY = Duration.ofMinutes(1);
    /**
     * The longest validity staff may choose: 168 h (7 days), the most a meter accepts between a signed command's
     * {@code ts} and its {@code expiresAt} (device-agent {@code RelayRules.MAX_SIGNED_VALIDITY}).
     */
    public static final Duration MAX_QUEUE_VALIDITY = Duration.ofHours(168);

    /**
     * A command as stored by {@link #send}.
     *
     * @param state {@code PENDING} (published) or {@code QUEUED} (waiting for the meter)
     */
    public record Sent(String commandId, CommandState state, Instant expiresAt) {}

    private final MongoDatabase db;
    private final CommandPublisher publisher;
    private final CommandSigner signer;
    private final Duration validity;
    private final Clock clock;

    /**
     * @param publisher null when the portal has no broker: commands then answer 503
     * @param signer signs every command; null only together with {@code publisher}
     * @param validity from a command's {@code ts} to its {@code expiresAt}
     */
    public CommandService(MongoDatabase db, CommandPublisher publisher, CommandSigner signer, Duration validity, Clock clock) {
        if (publisher != null && signer == null) {
            throw new IllegalArgumentException("a portal that publishes commands must sign them");
        }
        this.db = db;
        this.publisher = publisher;
        this.signer = signer;
        this.validity = validity;
        this.clock = clock;
    }

    /**
     * Stores the command, then publishes it; a command the broker did not take is stored FAILED and answered 503.
     * For a meter that is {@code OFFLINE} the command is stored {@code QUEUED}, signed valid for
     * {@code queueValidity}, and not published: {@link #deliverQueued} sends it when the meter comes online. A meter
     * whose state is unknown (it never sent a status message) is sent to as before, at once.
     *
     * @param connectionState the meter's connection state as the portal shows it ({@code MeterDocs.connectionState})
     * @param queueValidity for a queued command, from its {@code ts} to its {@code expiresAt}; between
     *     {@link #MIN_QUEUE_VALIDITY} and {@link #MAX_QUEUE_VALIDITY}
     */
    public Future<Sent> send(String meterId, String connectionState, RelayState relay, String reason, String requestedBy,
            Duration queueValidity) {
        return send(meterId, connectionState, relay, reason, requestedBy, queueValidity, null);
    }

    /**
     * As {@link #send(String, String, RelayState, String, String, Duration)}, recording an interlock staff overrode:
     * {@code override} {@code {by, at, reason, interlock}} on the command and in its first history entry.
     *
     * @param overridden the interlock set aside and why, or null
     */
    public Future<Sent> send(String meterId, String connectionState, RelayState relay, String reason, String requestedBy,
            Duration queueValidity, Override overridden) {
        Document fields = new Document(RELAY, relay.name());
        String what = "switch " + relay;
        if (overridden != null) {
            fields.append(OVERRIDE, overridden.document(requestedBy, clock.instant()));
            what += "; interlock overridden (" + overridden.interlock().describe() + "): " + overridden.reason();
        }
        return sendCommand(meterId, connectionState, (id, ts) -> new RelayCommand(id, relay, ts), fields, what, reason, requestedBy,
                queueValidity);
    }

    /** An interlock staff set aside, and their reason. */
    public record Override(Interlock interlock, String reason) {
        Document document(String by, Instant at) {
            return new Document(BY, by).append(AT, Date.from(at)).append(REASON, reason).append(INTERLOCK, interlock.document());
        }
    }

    /**
     * A CIRCUIT command (contract "added with circuits"), stored and delivered like {@link #send}: {@code type},
     * {@code circuit} and {@code relay} kept with it. The caller has checked who may ask and that the circuit may be
     * switched.
     */
    public Future<Sent> sendCircuit(String meterId, String connectionState, String circuit, RelayState relay, String reason, String requestedBy,
            Duration queueValidity) {
        return sendCommand(meterId, connectionState, (id, ts) -> new CircuitCommand(id, circuit, relay, ts),
                new Document(COMMAND_TYPE, CircuitCommand.TYPE).append(COMMAND_CIRCUIT, circuit).append(RELAY, relay.name()),
                "switch circuit " + circuit + " " + relay, reason, requestedBy, queueValidity);
    }

    /**
     * A SCHEDULE command (null {@code schedule}: remove the circuit's schedule), stored and delivered like {@link #send},
     * with {@code type}, {@code circuit} and {@code schedule}.
     */
    public Future<Sent> sendSchedule(String meterId, String connectionState, String circuit, Schedule schedule, String reason,
            String requestedBy, Duration queueValidity) {
        return sendCommand(meterId, connectionState, (id, ts) -> new ScheduleCommand(id, circuit, schedule, ts),
                new Document(COMMAND_TYPE, ScheduleCommand.TYPE).append(COMMAND_CIRCUIT, circuit)
                        .append(COMMAND_SCHEDULE, schedule == null ? null : Document.parse(schedule.toJson().toString())),
                schedule == null ? "remove circuit " + circuit + "'s schedule" : "schedule circuit " + circuit + " " + schedule.canonical(),
                reason, requestedBy, queueValidity);
    }

    private Future<Sent> sendCommand(String meterId, String connectionState, java.util.function.BiFunction<String, Instant, MeterCommand> make,
            Document fields, String what, String reason, String requestedBy, Duration queueValidity) {
        if (publisher == null) {
            return Future.failedFuture(new HttpError(503, "commands need a broker: MQTT_URL is not set for the portal"));
        }
        if (queueValidity.compareTo(MIN_QUEUE_VALIDITY) < 0 || queueValidity.compareTo(MAX_QUEUE_VALIDITY) > 0) {
            throw new IllegalArgumentException("queue validity must lie between " + MIN_QUEUE_VALIDITY + " and " + MAX_QUEUE_VALIDITY);
        }
        boolean queue = "OFFLINE".equals(connectionState);
        String id = UUID.randomUUID().toString();
        // To the millisecond: the stored dates then hold exactly the signed instants.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        MeterCommand command = signer.sign(meterId, make.apply(id, now), queue ? queueValidity : validity);
        CommandState state = queue ? CommandState.QUEUED : CommandState.PENDING;
        String detail = "requested by " + requestedBy + ": " + what + " (" + reason + ")"
                + (queue ? "; the meter is offline: queued until " + command.expiresAt() : "");
        Document d = new Document(ID, id).append(METER_ID, meterId);
        d.putAll(fields);
        d.append(REASON, reason)
                .append(REQUESTED_BY, requestedBy).append(REQUESTED_AT, Date.from(now)).append(STATE, state.name())
                .append(EXPIRES_AT, Date.from(command.expiresAt()))
                .append(SIGNED, new Document(TS, command.ts().toString()).append(EXPIRES_AT, command.expiresAt().toString())
                        .append(KEY_ID, command.keyId()).append(SIG, command.sig()))
                .append(HISTORY, List.of(new Document(STATE, state.name()).append(AT, Date.from(now)).append(DETAIL, detail)));
        if (queue) {
            return Mongo.first(db.getCollection(COMMANDS).insertOne(d)).map(ok -> new Sent(id, state, command.expiresAt()));
        }
        d.append(SENT_AT, Date.from(now));
        return Mongo.first(db.getCollection(COMMANDS).insertOne(d)).compose(ok -> publishOrFail(id, meterId, command, context))
                .map(v -> new Sent(id, state, command.expiresAt()));
    }

    /** Publishes a stored PENDING command; one the broker did not take is stored FAILED and answered 503. */
    private Future<Void> publishOrFail(String id, String meterId, MeterCommand command, io.vertx.core.Context context) {
        return (context == null ? Future.fromCompletionStage(publisher.publish(meterId, command))
                : Future.fromCompletionStage(publisher.publish(meterId, command), context))
                .recover(e -> {
                    if (e instanceof HttpError) {
                        return Future.failedFuture(e);
                    }
                    String why = "not sent: " + e.getMessage();
                    return Mongo.first(db.getCollection(COMMANDS).updateOne(Filters.eq(ID, id), Updates.combine(
                                    Updates.set(STATE, CommandState.FAILED.name()), Updates.set(ERROR, why),
                                    Updates.push(HISTORY, new Document(STATE, CommandState.FAILED.name()).append(AT, Date.from(clock.instant()))
                                            .append(DETAIL, why)))))
                            .transform(x -> Future.failedFuture(new HttpError(503, "the command " + id + " was not sent: " + e.getMessage())));
                });
    }

    /**
     * A supply relay command stored without a signature, in {@code AWAITING_APPROVAL} or {@code HELD}: what
     * {@link #release} later signs and sends. Not inserted here (a bulk inserts many at once).
     *
     * @param state {@code AWAITING_APPROVAL} or {@code HELD}
     * @param expiresAt for {@code AWAITING_APPROVAL}, the approval deadline; null for {@code HELD}
     * @param fields more fields ({@code approval}, {@code override}, {@code bulkId}), or null
     * @param detail the first history entry's words
     */
    public Document unsigned(String meterId, RelayState relay, String reason, String requestedBy, Duration queueValidity,
            CommandState state, Instant expiresAt, Document fields, String detail) {
        if (queueValidity.compareTo(MIN_QUEUE_VALIDITY) < 0 || queueValidity.compareTo(MAX_QUEUE_VALIDITY) > 0) {
            throw new IllegalArgumentException("queue validity must lie between " + MIN_QUEUE_VALIDITY + " and " + MAX_QUEUE_VALIDITY);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Document d = new Document(ID, UUID.randomUUID().toString()).append(METER_ID, meterId).append(RELAY, relay.name())
                .append(REASON, reason).append(REQUESTED_BY, requestedBy).append(REQUESTED_AT, Date.from(now)).append(STATE, state.name())
                .append(QUEUE_VALIDITY_MINUTES, queueValidity.toMinutes());
        if (expiresAt != null) {
            d.append(EXPIRES_AT, Date.from(expiresAt));
        }
        if (fields != null) {
            d.putAll(fields);
        }
        return d.append(HISTORY, List.of(new Document(STATE, state.name()).append(AT, Date.from(now)).append(BY, requestedBy)
                .append(DETAIL, detail)));
    }

    public Future<Void> insert(Document command) {
        return Mongo.first(db.getCollection(COMMANDS).insertOne(command)).mapEmpty();
    }

    /**
     * Signs a command {@link #unsigned} stored and moves it from {@code from} to {@code PENDING} (published now) or, for a
     * meter that is {@code OFFLINE}, {@code QUEUED} (valid for the validity chosen with it), in one conditional update: of
     * several portals or staff doing this at once exactly one moves it. An {@code AWAITING_APPROVAL} command moves only
     * before its {@code expiresAt}.
     *
     * @param command the stored document (its meter, relay and chosen validity are used)
     * @param by who released it (the approver; the requester for a bulk)
     * @param detail the history entry's words
     * @param more further updates (the approval's decision), or null
     * @return the command as sent or queued; null when it was no longer in {@code from} (or its approval expired)
     */
    public Future<Sent> release(Document command, CommandState from, String connectionState, String by, String detail, Bson more) {
        if (publisher == null) {
            return Future.failedFuture(new HttpError(503, "commands need a broker: MQTT_URL is not set for the portal"));
        }
        String id = command.getString(ID);
        String meterId = command.getString(METER_ID);
        boolean queue = "OFFLINE".equals(connectionState);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        Number minutes = command.get(QUEUE_VALIDITY_MINUTES, Number.class);
        Duration queueValidity = minutes == null ? DEFAULT_QUEUE_VALIDITY : Duration.ofMinutes(minutes.longValue());
        MeterCommand signed = signer.sign(meterId, new RelayCommand(id, RelayState.valueOf(command.getString(RELAY)), now),
                queue ? queueValidity : validity);
        CommandState state = queue ? CommandState.QUEUED : CommandState.PENDING;
        List<Bson> updates = new java.util.ArrayList<>(List.of(Updates.set(STATE, state.name()),
                Updates.set(EXPIRES_AT, Date.from(signed.expiresAt())),
                Updates.set(SIGNED, new Document(TS, signed.ts().toString()).append(EXPIRES_AT, signed.expiresAt().toString())
                        .append(KEY_ID, signed.keyId()).append(SIG, signed.sig())),
                Updates.push(HISTORY, new Document(STATE, state.name()).append(AT, Date.from(now)).append(BY, by)
                        .append(DETAIL, detail + (queue ? "; the meter is offline: queued until " + signed.expiresAt() : "; published")))));
        if (!queue) {
            updates.add(Updates.set(SENT_AT, Date.from(now)));
        }
        if (more != null) {
            updates.add(more);
        }
        Bson filter = from == CommandState.AWAITING_APPROVAL
                ? Filters.and(Filters.eq(ID, id), Filters.eq(STATE, from.name()), Filters.gt(EXPIRES_AT, Date.from(now)))
                : Filters.and(Filters.eq(ID, id), Filters.eq(STATE, from.name()));
        return Mongo.first(db.getCollection(COMMANDS).updateOne(filter, Updates.combine(updates))).compose(r -> {
            if (r.getModifiedCount() != 1) {
                return Future.succeededFuture(null);
            }
            Sent sent = new Sent(id, state, signed.expiresAt());
            return queue ? Future.succeededFuture(sent) : publishOrFail(id, meterId, signed, context).map(sent);
        });
    }

    /**
     * Moves a command from {@code from} to a final {@code to} ({@code REJECTED}, {@code EXPIRED}) in one conditional update.
     *
     * @param extra a further condition (the approval deadline), or null
     * @return whether this call moved it
     */
    public Future<Boolean> close(String commandId, CommandState from, CommandState to, String by, String detail, Bson extra, Bson more) {
        Instant now = clock.instant();
        Bson filter = Filters.and(Filters.eq(ID, commandId), Filters.eq(STATE, from.name()));
        if (extra != null) {
            filter = Filters.and(filter, extra);
        }
        List<Bson> updates = new java.util.ArrayList<>(List.of(Updates.set(STATE, to.name()), Updates.set(ERROR, detail),
                Updates.push(HISTORY, new Document(STATE, to.name()).append(AT, Date.from(now)).append(BY, by).append(DETAIL, detail))));
        if (more != null) {
            updates.add(more);
        }
        return Mongo.first(db.getCollection(COMMANDS).updateOne(filter, Updates.combine(updates))).map(r -> r.getModifiedCount() == 1);
    }

    public Clock clock() {
        return clock;
    }

    /** Whether this portal can send commands (it has a broker). */
    public boolean canSend() {
        return publisher != null;
    }

    /**
     * Publishes the meter's queued, unexpired commands in the order they were requested, each its stored signed
     * payload byte for byte. Each is first claimed ({@link #claim}): of several portals delivering at once, only
     * the one whose claim moved it publishes it, and the one that lost stops there, leaving the rest to the
     * winner, so that they go out in order. A command the broker did not take is queued again (it stays valid
     * until its {@code expiresAt}); the rest then wait for the next delivery.
     *
     * @return how many commands this call published
     */
    public Future<Integer> deliverQueued(String meterId) {
        if (publisher == null) {
            return Future.succeededFuture(0);
        }
        Instant now = clock.instant();
        return Mongo.list(db.getCollection(COMMANDS).find(Filters.and(Filters.eq(METER_ID, meterId), Filters.eq(STATE, CommandState.QUEUED.name()),
                        Filters.gt(EXPIRES_AT, Date.from(now)))).sort(Sorts.ascending(REQUESTED_AT, ID)))
                .compose(queued -> deliverInOrder(meterId, queued, 0, 0));
    }

    private enum Delivery { PUBLISHED, NOT_CLAIMED, NOT_TAKEN }

    private Future<Integer> deliverInOrder(String meterId, List<Document> queued, int next, int sent) {
        if (next == queued.size()) {
            return Future.succeededFuture(sent);
        }
        return deliverOne(meterId, queued.get(next).getString(ID)).compose(d -> switch (d) {
            case PUBLISHED -> deliverInOrder(meterId, queued, next + 1, sent + 1);
            // Another portal claimed it and goes on with the later ones in order (or it just expired: the next
            // sweep sends the rest). Stopping here keeps two portals from publishing one meter's commands crosswise.
            case NOT_CLAIMED -> Future.succeededFuture(sent);
            // The broker did not take it: the later ones wait, so that the order holds.
            case NOT_TAKEN -> Future.succeededFuture(sent);
        });
    }

    private Future<Delivery> deliverOne(String meterId, String commandId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return claim(commandId, now).compose(doc -> {
            if (doc == null) {
                return Future.succeededFuture(Delivery.NOT_CLAIMED);
            }
            return Future.fromCompletionStage(publisher.publish(meterId, wire(doc))).map(v -> Delivery.PUBLISHED)
                    .recover(e -> requeue(commandId, now, "not delivered: " + e.getMessage() + "; queued again").map(Delivery.NOT_TAKEN));
        });
    }

    /**
     * Moves a queued, unexpired command to {@code PENDING} (with {@code sentAt} and a history entry) in one
     * conditional update: when several portals claim the same command at once, exactly one gets it.
     *
     * @return the claimed command; null when it was not {@code QUEUED} any more or has expired
     */
    public Future<Document> claim(String commandId, Instant now) {
        return Mongo.first(db.getCollection(COMMANDS).findOneAndUpdate(
                Filters.and(Filters.eq(ID, commandId), Filters.eq(STATE, CommandState.QUEUED.name()), Filters.gt(EXPIRES_AT, Date.from(now))),
                Updates.combine(Updates.set(STATE, CommandState.PENDING.name()), Updates.set(SENT_AT, Date.from(now)),
                        Updates.push(HISTORY, new Document(STATE, CommandState.PENDING.name()).append(AT, Date.from(now))
                                .append(DETAIL, "the meter is online: delivered"))),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)));
    }

    private Future<Void> requeue(String commandId, Instant sentAt, String why) {
        return Mongo.first(db.getCollection(COMMANDS).updateOne(
                        Filters.and(Filters.eq(ID, commandId), Filters.eq(STATE, CommandState.PENDING.name()), Filters.eq(SENT_AT, Date.from(sentAt))),
                        Updates.combine(Updates.set(STATE, CommandState.QUEUED.name()), Updates.unset(SENT_AT),
                                Updates.push(HISTORY, new Document(STATE, CommandState.QUEUED.name()).append(AT, Date.from(clock.instant()))
                                        .append(DETAIL, why)))))
                .mapEmpty();
    }

    /**
     * The meters that have queued, unexpired commands and are {@code ONLINE} now (as the ingest stored their
     * status): what a periodic sweep delivers to, covering a birth that came before the command was queued, or
     * while no portal was running.
     */
    public Future<List<String>> onlineMetersWithQueued() {
        Instant now = clock.instant();
        return Mongo.list(db.getCollection(COMMANDS).distinct(METER_ID,
                        Filters.and(Filters.eq(STATE, CommandState.QUEUED.name()), Filters.gt(EXPIRES_AT, Date.from(now))), String.class))
                .compose(ids -> ids.isEmpty() ? Future.succeededFuture(List.<Document>of())
                        : Mongo.list(db.getCollection(METERS).find(Filters.in(ID, ids))))
                .map(meters -> meters.stream().filter(m -> "ONLINE".equals(MeterDocs.connectionState(m)))
                        .map(m -> m.getString(ID)).toList());
    }

    /**
     * The command as it was published, from its stored document: the same payload, signature included.
     *
     * @throws IllegalArgumentException when the document holds no signed fields (a command from before signing)
     */
    public static RelayCommand wireCommand(Document d) {
        if (!(wire(d) instanceof RelayCommand relay)) {
            throw new IllegalArgumentException("command " + d.getString(ID) + " is a " + d.getString(COMMAND_TYPE) + " command, not RELAY");
        }
        return relay;
    }

    /**
     * Any command as it was published (RELAY, CIRCUIT, SCHEDULE), from its stored document.
     *
     * @throws IllegalArgumentException when the document holds no signed fields (a command from before signing)
     */
    public static MeterCommand wire(Document d) {
        Document signed = d.get(SIGNED, Document.class);
        if (signed == null) {
            throw new IllegalArgumentException("command " + d.getString(ID) + " was stored unsigned");
        }
        Instant ts = Instant.parse(signed.getString(TS));
        Instant expiresAt = Instant.parse(signed.getString(EXPIRES_AT));
        String type = d.getString(COMMAND_TYPE);
        if (CircuitCommand.TYPE.equals(type)) {
            return new CircuitCommand(d.getString(ID), d.getString(COMMAND_CIRCUIT), RelayState.valueOf(d.getString(RELAY)), ts, expiresAt,
                    signed.getString(KEY_ID), signed.getString(SIG));
        }
        if (ScheduleCommand.TYPE.equals(type)) {
            Document schedule = d.get(COMMAND_SCHEDULE, Document.class);
            Schedule s;
            try {
                s = schedule == null ? null : Schedule.fromJson(dev.ims.model.json.Json.mapper().readTree(schedule.toJson()));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("command " + d.getString(ID) + ": stored schedule unreadable", e);
            }
            return new ScheduleCommand(d.getString(ID), d.getString(COMMAND_CIRCUIT), s, ts, expiresAt, signed.getString(KEY_ID),
                    signed.getString(SIG));
        }
        return new RelayCommand(d.getString(ID), RelayState.valueOf(d.getString(RELAY)), ts, expiresAt, signed.getString(KEY_ID),
                signed.getString(SIG));
    }

    public Future<Document> find(String commandId) {
        return Mongo.first(db.getCollection(COMMANDS).find(Filters.eq(ID, commandId)));
    }

    /** A meter's commands, newest first. */
    public Future<List<Document>> recent(String meterId, int limit) {
        return Mongo.list(db.getCollection(COMMANDS).find(Filters.eq(METER_ID, meterId)).sort(Sorts.descending(REQUESTED_AT)).limit(limit));
    }

    /** A command as the API shows it ({@link CommandView}); who asked is shown to staff only. */
    public static Map<String, Object> view(Document d, boolean staff) {
        return CommandView.of(d, staff);
    }
}
