package dev.ims.portal.command;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandState;
import dev.ims.model.command.RelayCommand;
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

/**
 * Relay commands in the {@code commands} collection: created here {@code PENDING} with who asked and why,
 * then moved on only by the ingest, from the meter's acknowledgement and readings. The documents, with
 * their {@code history}, are the audit trail.
 *
 * <p>Every command is signed for its meter ({@link CommandSigner}), valid from its {@code ts} (the request's
 * time, to the millisecond) until {@code expiresAt} = {@code ts} + the validity. The signed wire fields are
 * stored with the command ({@code signed}: {@code ts}, {@code expiresAt}, {@code keyId}, {@code sig}), so that
 * {@link #wireCommand} re-creates the published payload unchanged for a later delivery.
 */
public final class CommandService {

    /**
     * How long a command stays valid: as long as a meter's window on {@code ts} (a later change, queued
     * delivery to offline meters, makes it longer).
     */
    public static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(5);

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

    /** Stores the command, then publishes it; a command the broker did not take is stored FAILED and answered 503. */
    public Future<String> send(String meterId, RelayState relay, String reason, String requestedBy) {
        if (publisher == null) {
            return Future.failedFuture(new HttpError(503, "relay commands need a broker: MQTT_URL is not set for the portal"));
        }
        String id = UUID.randomUUID().toString();
        // To the millisecond: the stored dates then hold exactly the signed instants.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        RelayCommand command = signer.sign(meterId, new RelayCommand(id, relay, now), validity);
        Document d = new Document(ID, id).append(METER_ID, meterId).append(RELAY, relay.name()).append(REASON, reason)
                .append(REQUESTED_BY, requestedBy).append(REQUESTED_AT, Date.from(now)).append(STATE, CommandState.PENDING.name())
                .append(EXPIRES_AT, Date.from(command.expiresAt()))
                .append(SIGNED, new Document(TS, command.ts().toString()).append(EXPIRES_AT, command.expiresAt().toString())
                        .append(KEY_ID, command.keyId()).append(SIG, command.sig()))
                .append(HISTORY, List.of(new Document(STATE, CommandState.PENDING.name()).append(AT, Date.from(now))
                        .append(DETAIL, "requested by " + requestedBy + ": switch " + relay + " (" + reason + ")")));
        return Mongo.first(db.getCollection(COMMANDS).insertOne(d))
                .compose(ok -> context == null ? Future.fromCompletionStage(publisher.publish(meterId, command))
                        : Future.fromCompletionStage(publisher.publish(meterId, command), context))
                .map(v -> id)
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
     * The command as it was published, from its stored document: the same payload, signature included.
     *
     * @throws IllegalArgumentException when the document holds no signed fields (a command from before signing)
     */
    public static RelayCommand wireCommand(Document d) {
        Document signed = d.get(SIGNED, Document.class);
        if (signed == null) {
            throw new IllegalArgumentException("command " + d.getString(ID) + " was stored unsigned");
        }
        return new RelayCommand(d.getString(ID), RelayState.valueOf(d.getString(RELAY)), Instant.parse(signed.getString(TS)),
                Instant.parse(signed.getString(EXPIRES_AT)), signed.getString(KEY_ID), signed.getString(SIG));
    }

    public Future<Document> find(String commandId) {
        return Mongo.first(db.getCollection(COMMANDS).find(Filters.eq(ID, commandId)));
    }

    /** A meter's commands, newest first. */
    public Future<List<Document>> recent(String meterId, int limit) {
        return Mongo.list(db.getCollection(COMMANDS).find(Filters.eq(METER_ID, meterId)).sort(Sorts.descending(REQUESTED_AT)).limit(limit));
    }

    /** A command as the API shows it; who asked is shown to staff only. */
    public static Map<String, Object> view(Document d, boolean staff) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        Map<String, Object> plain = Responses.plain(d);
        out.put("commandId", plain.remove(ID));
        out.putAll(plain);
        if (!staff) {
            out.remove(REQUESTED_BY);
            out.remove(HISTORY);
            out.remove(SIGNED);
        }
        return out;
    }
}
