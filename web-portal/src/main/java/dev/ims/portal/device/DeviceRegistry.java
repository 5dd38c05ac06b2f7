package dev.ims.portal.device;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.MongoServerException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.log.LogSafe;
import dev.ims.model.meter.ClaimCodes;
import dev.ims.model.meter.MeterIds;
import dev.ims.model.security.BrokerAccounts;
import dev.ims.model.security.Identity;
import dev.ims.model.security.IdentityDirectory;
import dev.ims.model.security.Secrets;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The register of enrolled meters: the store's {@value dev.ims.model.storage.StoreSchema#DEVICES} collection, one
 * document per meter ({@code _id} = meter ID, read and written by {@code _id} only), holding the verifier of the
 * meter's broker secret, never the secret.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #enrol}: idempotent for the same meter and secret (the same answer again, {@code created} false);
 *       another secret for an enrolled meter fails {@link DeviceException.Kind#ALREADY_ENROLLED}, a decommissioned
 *       meter {@link DeviceException.Kind#DECOMMISSIONED}, a bad meter ID (or one in the services' namespace),
 *       secret or claim verifier {@link DeviceException.Kind#INVALID}. The meter's document gets the claim verifier
 *       where it has none yet. {@link BrokerAccounts#register} is called on every successful answer (it is
 *       idempotent), so a failed registration is repaired by the meter's retry.
 *   <li>{@link #decommission}: the device becomes {@code DECOMMISSIONED} with {@code decommissioned {at, by, reason}}
 *       and {@code revokedOnBroker: false}; the meter's document gets the same {@code decommissioned}. The sweep
 *       ({@link #startSweep}, run by the portal every {@link #SWEEP_INTERVAL} and right away after a decommission
 *       made here) calls {@link BrokerAccounts#revoke} for every device still unrevoked and then marks it; a failed
 *       revoke stays pending and is tried again. So a decommission written by the CLI in another process is carried
 *       out by the running portal.
 *   <li>{@link #authenticate}: an {@code ACTIVE} device whose verifier matches the password, as a meter identity;
 *       {@link #lookup}: an {@code ACTIVE} device by ID alone (a client certificate proved it).
 * </ul>
 * There are no transactions: every step is a single-document write that can be repeated. Works without Vert.x
 * (the launcher's CLI calls it with a plain {@link MongoDatabase}); on a Vert.x context stages complete there.
 * Thread-safe.
 */
public final class DeviceRegistry implements IdentityDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);

    /** How often the portal looks for decommissioned devices still to be revoked on the broker. */
    public static final Duration SWEEP_INTERVAL = Duration.ofSeconds(2);
    /** A meter-generated secret: 32 to 256 printable ASCII characters without spaces. */
    public static final int MIN_SECRET = 32;
    public static final int MAX_SECRET = 256;
    /** {@link DeviceRegistry#enrol}'s {@code enrolledBy} for a meter that enrolled itself over HTTP. */
    public static final String BY_PROVISIONING_KEY = "provisioning-key";

    private final MongoDatabase db;
    private final BrokerAccounts accounts;
    private final Clock clock;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final AtomicBoolean sweepAgain = new AtomicBoolean();
    private volatile Vertx vertx;
    private volatile long timer = -1;

    public DeviceRegistry(MongoDatabase db, BrokerAccounts accounts, Clock clock) {
        this.db = db;
        this.accounts = accounts;
        this.clock = clock;
    }

    public DeviceRegistry(MongoDatabase db, BrokerAccounts accounts) {
        this(db, accounts, Clock.systemUTC());
    }

    public BrokerAccounts accounts() {
        return accounts;
    }

    // ---- enrolment

    /**
     * Enrols {@code meterId} with its broker {@code secret} and the {@code claimVerifier} of the code on its label.
     * Fails with a {@link DeviceException} as the class comment says.
     *
     * @param enrolledBy {@link #BY_PROVISIONING_KEY} or {@code cli:<user>}
     */
    public CompletionStage<Enrolment> enrol(String meterId, String secret, String claimVerifier, String enrolledBy) {
        try {
            checkMeterId(meterId);
            checkSecret(secret);
            checkClaimVerifier(claimVerifier);
        } catch (DeviceException e) {
            return CompletableFuture.failedFuture(e);
        }
        return enrolChecked(meterId, secret, claimVerifier, enrolledBy).toCompletionStage();
    }

    private Future<Enrolment> enrolChecked(String meterId, String secret, String claimVerifier, String enrolledBy) {
        Document device = new Document(ID, meterId).append(SECRET_VERIFIER, Secrets.verifier(secret))
                .append(DEVICE_STATE, DEVICE_ACTIVE).append(ENROLLED_AT, Date.from(clock.instant())).append(ENROLLED_BY, enrolledBy);
        return find(meterId).compose(existing -> {
            if (existing != null) {
                return Future.succeededFuture(existingAnswer(existing, meterId, secret));
            }
            return Mongo.first(devices().insertOne(device)).map(r -> new Enrolment(meterId, true)).recover(e -> {
                if (!isDuplicateKey(e)) {
                    return Future.failedFuture(e);
                }
                // Enrolled at the same moment by another request: answer as for an existing device.
                return find(meterId).map(again -> existingAnswer(again, meterId, secret));
            });
        }).compose(enrolment -> claimVerifierWhereNone(meterId, claimVerifier).map(enrolment))
                .compose(enrolment -> Future.fromCompletionStage(register(meterId, secret)).map(enrolment))
                .onSuccess(e -> {
                    if (e.created()) {
                        LOG.info("Meter {} enrolled ({})", LogSafe.of(meterId), LogSafe.of(enrolledBy));
                    }
                });
    }

    private static Enrolment existingAnswer(Document existing, String meterId, String secret) {
        if (existing == null) {
            throw new IllegalStateException("device " + meterId + " vanished during its enrolment");
        }
        if (DEVICE_DECOMMISSIONED.equals(existing.getString(DEVICE_STATE))) {
            throw new DeviceException(DeviceException.Kind.DECOMMISSIONED, "meter " + meterId + " was decommissioned");
        }
        if (!Secrets.matches(secret, existing.getString(SECRET_VERIFIER))) {
            throw new DeviceException(DeviceException.Kind.ALREADY_ENROLLED, "meter " + meterId + " is already enrolled with another secret");
        }
        return new Enrolment(meterId, false);
    }

    private CompletionStage<Void> register(String meterId, String secret) {
        try {
            return accounts.register(meterId, secret);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Puts the claim verifier on the meter's document (created when missing) unless it has one already. */
    private Future<Void> claimVerifierWhereNone(String meterId, String claimVerifier) {
        return Mongo.first(db.getCollection(METERS).find(Filters.eq(ID, meterId))).compose(meter -> {
            if (meter != null && meter.getString(CLAIM_VERIFIER) != null) {
                return Future.succeededFuture();
            }
            return Mongo.first(db.getCollection(METERS).updateOne(Filters.eq(ID, meterId), Updates.set(CLAIM_VERIFIER, claimVerifier),
                    new UpdateOptions().upsert(true))).mapEmpty();
        });
    }

    /**
     * For the CLI: enrols a meter with a new secret and a new claim code, under {@code meterIdOrNull} or a new ID
     * ({@link MeterIds#newId()}). Runs one PBKDF2 (tens of milliseconds) on the calling thread: not on an event loop.
     */
    public CompletionStage<Provisioned> provision(String meterIdOrNull, String by) {
        String meterId = meterIdOrNull == null ? MeterIds.newId() : meterIdOrNull;
        String secret = Secrets.newSecret();
        String code = ClaimCodes.newCode();
        String verifier = ClaimCodes.verifier(code, ClaimCodes.DEFAULT_ITERATIONS);
        return enrol(meterId, secret, verifier, by).thenApply(e -> new Provisioned(e.meterId(), secret, code, verifier, e.created()));
    }

    // ---- decommissioning

    /**
     * Decommissions {@code meterId}: its credential stops working, consumers stop seeing it, its history stays.
     * Idempotent: an already decommissioned device is answered unchanged. A meter known only from its readings (no
     * device) gets a decommissioned device, so it can never be enrolled under this ID. Fails
     * {@link DeviceException.Kind#NOT_FOUND} when neither a device nor a meter document exists.
     *
     * @return the device as {@link #view} shows it
     */
    public CompletionStage<Map<String, Object>> decommission(String meterId, String by, String reason) {
        if (!MeterIds.isValid(meterId)) {
            return CompletableFuture.failedFuture(new DeviceException(DeviceException.Kind.INVALID, "meter ID must match "
                    + MeterIds.PATTERN.pattern()));
        }
        Future<Map<String, Object>> result = find(meterId).compose(device -> {
            if (device != null && DEVICE_DECOMMISSIONED.equals(device.getString(DEVICE_STATE))) {
                return Future.succeededFuture(view(device));
            }
            Future<Boolean> known = device != null ? Future.succeededFuture(true)
                    : Mongo.first(db.getCollection(METERS).find(Filters.eq(ID, meterId))).map(m -> m != null);
            return known.compose(k -> {
                if (!k) {
                    return Future.failedFuture(new DeviceException(DeviceException.Kind.NOT_FOUND, "no meter " + meterId));
                }
                Document record = new Document(AT, Date.from(clock.instant())).append("by", by).append(REASON, reason);
                return Mongo.first(devices().updateOne(Filters.eq(ID, meterId), Updates.combine(
                                Updates.set(DEVICE_STATE, DEVICE_DECOMMISSIONED), Updates.set(DECOMMISSIONED, record),
                                Updates.set(REVOKED_ON_BROKER, false)), new UpdateOptions().upsert(true)))
                        .compose(r -> Mongo.first(db.getCollection(METERS).updateOne(Filters.eq(ID, meterId),
                                Updates.set(DECOMMISSIONED, record), new UpdateOptions().upsert(true))))
                        .compose(r -> find(meterId))
                        .map(DeviceRegistry::view)
                        .onSuccess(v -> {
                            LOG.info("Meter {} decommissioned by {}: {}", LogSafe.of(meterId), LogSafe.of(by), LogSafe.of(reason));
                            if (vertx != null) {
                                sweep();
                            }
                        });
            });
        });
        return result.toCompletionStage();
    }

    /** The device of {@code meterId} as {@link #view} shows it, or empty when it is not enrolled. */
    public CompletionStage<Optional<Map<String, Object>>> device(String meterId) {
        if (!MeterIds.isValid(meterId)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return find(meterId).map(d -> d == null ? Optional.<Map<String, Object>>empty() : Optional.of(view(d))).toCompletionStage();
    }

    /**
     * A device as the API shows it, without its verifier: {@code meterId}, {@code state}, {@code enrolledAt},
     * {@code enrolledBy}, and once decommissioned {@code decommissioned {at, by, reason}} and {@code revokedOnBroker}.
     */
    public static Map<String, Object> view(Document device) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("meterId", device.getString(ID));
        out.put("state", device.getString(DEVICE_STATE));
        Date at = device.getDate(ENROLLED_AT);
        if (at != null) {
            out.put(ENROLLED_AT, at.toInstant().toString());
        }
        if (device.getString(ENROLLED_BY) != null) {
            out.put(ENROLLED_BY, device.getString(ENROLLED_BY));
        }
        Document d = device.get(DECOMMISSIONED, Document.class);
        if (d != null) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put(AT, d.getDate(AT) == null ? null : d.getDate(AT).toInstant().toString());
            record.put("by", d.getString("by"));
            record.put(REASON, d.getString(REASON));
            out.put(DECOMMISSIONED, record);
            out.put(REVOKED_ON_BROKER, device.getBoolean(REVOKED_ON_BROKER, false));
        }
        return out;
    }

    // ---- revocation on the broker

    /** IDs of decommissioned devices the broker has not been told about yet ({@code revokedOnBroker: false}). */
    public CompletionStage<List<String>> pendingRevocations() {
        return Mongo.list(devices().find(Filters.eq(REVOKED_ON_BROKER, false))).map(l -> l.stream().map(d -> d.getString(ID)).toList())
                .toCompletionStage();
    }

    /** Records that the broker was told about {@code meterId}'s revocation. */
    public CompletionStage<Void> markRevoked(String meterId) {
        return Mongo.first(devices().updateOne(Filters.eq(ID, meterId), Updates.set(REVOKED_ON_BROKER, true))).<Void>mapEmpty()
                .toCompletionStage();
    }

    /** Runs {@link #sweep} every {@link #SWEEP_INTERVAL} on {@code vertx}, and after every decommission made here. */
    public synchronized DeviceRegistry startSweep(Vertx vertx) {
        return startSweep(vertx, SWEEP_INTERVAL);
    }

    public synchronized DeviceRegistry startSweep(Vertx vertx, Duration interval) {
        if (timer < 0) {
            this.vertx = vertx;
            timer = vertx.setPeriodic(interval.toMillis(), id -> sweep());
        }
        return this;
    }

    public synchronized void stopSweep() {
        if (timer >= 0 && vertx != null) {
            vertx.cancelTimer(timer);
        }
        timer = -1;
        vertx = null;
    }

    /**
     * Revokes every pending device on the broker and marks it; one that fails stays pending for the next sweep. A
     * sweep asked for while one runs runs again after it. Never fails; completes with the number revoked.
     */
    public CompletionStage<Integer> sweep() {
        if (!sweeping.compareAndSet(false, true)) {
            sweepAgain.set(true);
            return CompletableFuture.completedFuture(0);
        }
        sweepAgain.set(false);
        CompletableFuture<Integer> done = new CompletableFuture<>();
        pendingRevocations().thenCompose(ids -> {
            CompletionStage<Integer> chain = CompletableFuture.completedFuture(0);
            for (String id : ids) {
                chain = chain.thenCompose(n -> revokeOne(id).thenApply(ok -> ok ? n + 1 : n));
            }
            return chain;
        }).whenComplete((n, e) -> {
            if (e != null) {
                LOG.warn("Revocation sweep failed: {}", LogSafe.of(e.toString()));
            }
            sweeping.set(false);
            done.complete(n == null ? 0 : n);
            if (sweepAgain.getAndSet(false)) {
                sweep();
            }
        });
        return done;
    }

    private CompletionStage<Boolean> revokeOne(String meterId) {
        CompletionStage<Void> revoked;
        try {
            revoked = accounts.revoke(meterId);
        } catch (RuntimeException e) {
            revoked = CompletableFuture.failedFuture(e);
        }
        return revoked.thenCompose(v -> markRevoked(meterId)).handle((v, e) -> {
            if (e != null) {
                LOG.warn("Revoking meter {} on the broker failed, will retry: {}", LogSafe.of(meterId), LogSafe.of(e.toString()));
                return false;
            }
            LOG.info("Meter {} revoked on the broker", LogSafe.of(meterId));
            return true;
        });
    }

    // ---- authentication

    @Override
    public CompletionStage<Optional<Identity>> authenticate(String username, String password) {
        if (!MeterIds.isValid(username) || Identity.isReservedForServices(username) || password == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return find(username).map(d -> d != null && DEVICE_ACTIVE.equals(d.getString(DEVICE_STATE))
                        && Secrets.matches(password, d.getString(SECRET_VERIFIER))
                ? Optional.of(Identity.meter(username)) : Optional.<Identity>empty()).toCompletionStage();
    }

    /**
     * An {@code ACTIVE} device with this ID, as a meter identity, without a secret: for a meter that proved its ID by a
     * client certificate the broker's CA issued. Decommissioned, unknown or a service's name: empty.
     */
    @Override
    public CompletionStage<Optional<Identity>> lookup(String name) {
        if (!MeterIds.isValid(name) || Identity.isReservedForServices(name)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return find(name).map(d -> d != null && DEVICE_ACTIVE.equals(d.getString(DEVICE_STATE))
                ? Optional.of(Identity.meter(name)) : Optional.<Identity>empty()).toCompletionStage();
    }

    // ---- helpers

    private MongoCollection<Document> devices() {
        return db.getCollection(DEVICES);
    }

    private Future<Document> find(String meterId) {
        return Mongo.first(devices().find(Filters.eq(ID, meterId)));
    }

    private static boolean isDuplicateKey(Throwable e) {
        return e instanceof MongoServerException s && s.getCode() == 11000;
    }

    static void checkMeterId(String meterId) {
        if (!MeterIds.isValid(meterId)) {
            throw new DeviceException(DeviceException.Kind.INVALID, "meterId must match " + MeterIds.PATTERN.pattern());
        }
        if (Identity.isReservedForServices(meterId)) {
            throw new DeviceException(DeviceException.Kind.INVALID, "meterId must not start with '" + Identity.SERVICE_PREFIX
                    + "': that namespace is the services'");
        }
    }

    static void checkSecret(String secret) {
        if (secret == null || secret.length() < MIN_SECRET || secret.length() > MAX_SECRET
                || !secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new DeviceException(DeviceException.Kind.INVALID, "secret must be " + MIN_SECRET + " to " + MAX_SECRET
                    + " printable ASCII characters without spaces, generated by the meter");
        }
    }

    /** A verifier in ClaimCodes' format with the system's iteration count (as {@code ClaimCodes.verifierOf} demands). */
    static void checkClaimVerifier(String verifier) {
        boolean ok = verifier != null && ClaimCodes.isVerifier(verifier)
                && verifier.split("\\$")[1].equals(Integer.toString(ClaimCodes.DEFAULT_ITERATIONS));
        if (!ok) {
            throw new DeviceException(DeviceException.Kind.INVALID, "claimVerifier must be a claim-code verifier "
                    + "(pbkdf2-sha256$" + ClaimCodes.DEFAULT_ITERATIONS + "$salt$hash)");
        }
    }
}
