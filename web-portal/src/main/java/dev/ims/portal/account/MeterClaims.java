package dev.ims.portal.account;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.log.LogSafe;
import dev.ims.model.meter.ClaimCodes;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import dev.ims.portal.web.Params;
import io.vertx.core.Future;
import java.util.List;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linking meters to consumer accounts with the claim code a meter shows (its verifier came with its enrolment), and the
 * meters an account holds. Wrong codes count against a per-account throttle ({@link AuthLimits#claimsPerAccount()}).
 * Thread-safe.
 */
public final class MeterClaims {

    private static final Logger LOG = LoggerFactory.getLogger(MeterClaims.class);

    private final MongoDatabase db;
    private final HashGate hashes;
    private final LoginThrottle claims;

    public MeterClaims(MongoDatabase db, HashGate hashes, AuthLimits limits, java.time.Clock clock) {
        this.db = db;
        this.hashes = hashes;
        this.claims = new LoginThrottle(limits.claimsPerAccount(), clock);
    }

    /**
     * Links meter {@code rawId} to the principal when {@code code} matches the verifier the meter published.
     * Wrong codes count against a per-account throttle; a meter another account holds answers 409 only to
     * someone who knows its code.
     */
    public Future<String> claim(Principal p, String rawId, String code) {
        String meterId;
        try {
            meterId = Params.meterId(rawId);
        } catch (HttpError e) {
            return Future.failedFuture(e);
        }
        if (code == null || code.isBlank() || code.length() > 64) {
            return Future.failedFuture(HttpError.badRequest("enter the claim code shown on the meter"));
        }
        // Reserved before the code is checked, so parallel guesses cannot exceed the limit.
        LoginThrottle.Decision d = claims.reserve("claim:" + p.username());
        if (!d.allowed()) {
            LOG.debug("Claim by '{}' refused for {} s: too many wrong codes", LogSafe.of(p.username()), d.retryAfter().toSeconds());
            return Future.failedFuture(HttpError.tooMany("too many wrong claim codes", d.retryAfter()));
        }
        LoginThrottle.Permit permit = d.permit();
        // Only an enrolled, active meter can be claimed: its verifier came with its enrolment, never from MQTT.
        Future<Boolean> active = Mongo.first(db.getCollection(DEVICES).find(Filters.eq(ID, meterId)))
                .map(device -> device != null && DEVICE_ACTIVE.equals(device.getString(DEVICE_STATE)));
        Future<String> result = active.compose(enrolled -> !enrolled ? Future.<Document>succeededFuture(null)
                : Mongo.first(db.getCollection(METERS).find(Filters.eq(ID, meterId)))).compose(meter -> {
            String verifier = meter == null || isDecommissionedMeter(meter) ? null : meter.getString(CLAIM_VERIFIER);
            return hashes.run(() -> verifier != null && ClaimCodes.matches(verifier, code)).compose(ok -> {
                if (!ok) {
                    permit.keep();
                    return Future.failedFuture(HttpError.badRequest("that meter ID and claim code do not match an enrolled meter"));
                }
                // The right code: it does not count, but earlier wrong ones still do.
                permit.release();
                String owner = meter.getString(OWNER);
                if (owner != null && !owner.equals(p.username())) {
                    return Future.failedFuture(new HttpError(409, "this meter is already linked to another account"));
                }
                return Mongo.first(db.getCollection(METERS).updateOne(
                                Filters.and(Filters.eq(ID, meterId), Filters.or(Filters.exists(OWNER, false), Filters.eq(OWNER, p.username()))),
                                Updates.set(OWNER, p.username())))
                        .compose(r -> r.getMatchedCount() == 1 ? Future.succeededFuture(meterId)
                                : Future.failedFuture(new HttpError(409, "this meter is already linked to another account")))
                        .onSuccess(id -> LOG.info("Meter {} linked to '{}'", LogSafe.of(id), LogSafe.of(p.username())));
            });
        });
        // Busy (503) or a store failure: the code was never judged, so the attempt does not count.
        return result.onFailure(e -> permit.release());
    }

    /** IDs of the meters the principal may see: their own (staff: none listed here, they see the fleet). */
    public Future<List<String>> ownedMeters(Principal p) {
        return Mongo.list(db.getCollection(METERS).find(ownedBy(p)).sort(Sorts.ascending(ID)))
                .map(l -> l.stream().map(d -> d.getString(ID)).toList());
    }

    private static boolean isDecommissionedMeter(Document meter) {
        return meter.get(DECOMMISSIONED) != null;
    }

    /** A consumer's meters: linked to them and not decommissioned. */
    private static org.bson.conversions.Bson ownedBy(Principal p) {
        return Filters.and(Filters.eq(OWNER, p.username()), Filters.exists(DECOMMISSIONED, false));
    }

}
