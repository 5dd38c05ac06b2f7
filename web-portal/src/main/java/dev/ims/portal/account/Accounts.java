package dev.ims.portal.account;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import org.bson.Document;

/**
 * Accounts ({@code users}: {@code _id} = username) and sessions ({@code sessions}: {@code _id} = SHA-256 of
 * the token, so a leaked database does not leak usable tokens). Tokens are 256 random bits. Sessions live
 * in the database so that any portal instance, and a restarted one, accepts them. All methods return on the
 * caller's Vert.x context; password hashing runs on worker threads.
 */
public final class Accounts {

    public static final String USERNAME_PATTERN = "[a-z0-9][a-z0-9._-]{2,31}";
    public static final String ADMIN = "admin";
    public static final Duration WEB_SESSION = Duration.ofHours(12);
    public static final Duration API_SESSION = Duration.ofDays(30);

    private static final String HASH = "passwordHash";
    private static final String ROLE = "role";
    private static final String CREATED = "createdAt";
    private static final String USER = "user";
    private static final String CSRF = "csrf";
    private static final String EXPIRES = "expiresAt";
    private static final String KIND = "kind";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new session: the token goes to the client once, the principal describes it. */
    public record NewSession(String token, Principal principal) {}

    private final MongoDatabase db;
    private final Passwords passwords;
    private final Clock clock;
    private final String dummyHash;
    private final HashGate hashes;

    /** @param hashes where every hash and verification runs: a bounded number at once, else a 503 */
    public Accounts(MongoDatabase db, Passwords passwords, Clock clock, HashGate hashes) {
        this.db = db;
        this.hashes = hashes;
        this.passwords = passwords;
        this.clock = clock;
        this.dummyHash = passwords.hash(token());
    }

    /** Lower-cased and trimmed, or a 400 when it is not a valid username. */
    public static String username(String raw) {
        String u = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
        if (!u.matches(USERNAME_PATTERN)) {
            throw HttpError.badRequest("a username has 3 to 32 characters: letters, digits, '.', '_' or '-'");
        }
        return u;
    }

    /**
     * Creates the first staff account ({@value #ADMIN}) when there is no staff account yet.
     *
     * @param password the password to give it, or null to generate one
     * @return the generated password when one was generated, else null
     */
    public Future<String> ensureAdmin(String password) {
        if (password != null && Passwords.policyProblem(ADMIN, password) != null) {
            return Future.failedFuture(new dev.ims.model.config.ConfigException("IMS_ADMIN_PASSWORD: " + Passwords.policyProblem(ADMIN, password)));
        }
        return Mongo.list(db.getCollection(SESSIONS).createIndex(com.mongodb.client.model.Indexes.ascending(EXPIRES),
                        new com.mongodb.client.model.IndexOptions().expireAfter(0L, java.util.concurrent.TimeUnit.SECONDS)))
                .compose(i -> Mongo.first(db.getCollection(USERS).find(Filters.eq(ROLE, Role.STAFF.name()))).compose(staff -> {
            if (staff != null) {
                return Future.succeededFuture(null);
            }
            String chosen = password != null ? password : token().substring(0, 20);
            return create(ADMIN, chosen, Role.STAFF).map(v -> password == null ? chosen : null);
        }));
    }

    /** A new account; 409 when the username is taken, 400 when the password breaks the policy. */
    public Future<Void> create(String username, String password, Role role) {
        String problem = Passwords.policyProblem(username, password);
        if (problem != null) {
            return Future.failedFuture(HttpError.badRequest(problem));
        }
        return hashes.run(() -> passwords.hash(password)).compose(hash -> Mongo.first(
                        db.getCollection(USERS).insertOne(new Document(ID, username).append(HASH, hash)
                                .append(ROLE, role.name()).append(CREATED, Date.from(clock.instant()))))
                .<Void>mapEmpty()
                .recover(e -> Future.failedFuture(isDuplicate(e) ? new HttpError(409, "that username is taken") : e)));
    }

    /** The account's role when the password is right, else a failed future with a 401 (503 when too busy to check). */
    public Future<Role> check(String username, String password) {
        return Mongo.first(db.getCollection(USERS).find(Filters.eq(ID, username))).compose(user -> {
            // Hash even for unknown users, so that timing does not tell which usernames exist.
            String hash = user == null ? null : user.getString(HASH);
            return hashes.run(() -> {
                if (user == null) {
                    passwords.verify(password, dummyHash);
                    return false;
                }
                return passwords.verify(password, hash);
            }).map(ok -> {
                if (!ok) {
                    throw new HttpError(401, "wrong username or password");
                }
                return Role.valueOf(user.getString(ROLE));
            });
        });
    }

    public Future<Void> changePassword(Principal who, String current, String replacement) {
        String problem = Passwords.policyProblem(who.username(), replacement);
        if (problem != null) {
            return Future.failedFuture(HttpError.badRequest(problem));
        }
        return check(who.username(), current)
                .recover(e -> Future.failedFuture(e instanceof HttpError h && h.status() == 401
                        ? HttpError.badRequest("the current password is wrong") : e))
                .compose(role -> hashes.run(() -> passwords.hash(replacement)))
                .compose(hash -> Mongo.first(db.getCollection(USERS).updateOne(Filters.eq(ID, who.username()), Updates.set(HASH, hash))))
                // Every other session of the account ends: whoever knew the old password is out.
                .compose(r -> Mongo.first(db.getCollection(SESSIONS).deleteMany(
                        Filters.and(Filters.eq(USER, who.username()), Filters.ne(ID, who.sessionKey())))))
                .mapEmpty();
    }

    public Future<NewSession> openSession(String username, Role role, boolean api) {
        String token = token();
        String csrf = token();
        Instant now = clock.instant();
        Document d = new Document(ID, key(token)).append(USER, username).append(ROLE, role.name()).append(CSRF, csrf)
                .append(KIND, api ? "API" : "WEB").append(CREATED, Date.from(now))
                .append(EXPIRES, Date.from(now.plus(api ? API_SESSION : WEB_SESSION)));
        // Expired sessions of the account go now (MongoDB's TTL index removes them anyway; the embedded store has none).
        return Mongo.first(db.getCollection(SESSIONS).deleteMany(Filters.and(Filters.eq(USER, username), Filters.lt(EXPIRES, Date.from(now)))))
                .compose(r -> Mongo.first(db.getCollection(SESSIONS).insertOne(d)))
                .map(r -> new NewSession(token, new Principal(username, role, key(token), csrf, api)));
    }

    /** The session of {@code token}, or null when it is unknown or expired. */
    public Future<Principal> session(String token, boolean bearer) {
        if (token == null || token.isEmpty() || token.length() > 100) {
            return Future.succeededFuture(null);
        }
        String key = key(token);
        return Mongo.first(db.getCollection(SESSIONS).find(Filters.eq(ID, key))).map(d -> {
            if (d == null || d.getDate(EXPIRES).toInstant().isBefore(clock.instant())) {
                return null;
            }
            return new Principal(d.getString(USER), Role.valueOf(d.getString(ROLE)), key, d.getString(CSRF), bearer);
        });
    }

    public Future<Void> closeSession(Principal p) {
        return Mongo.first(db.getCollection(SESSIONS).deleteOne(Filters.eq(ID, p.sessionKey()))).mapEmpty();
    }

    public static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Constant-time string equality for secrets. */
    public static boolean same(String a, String b) {
        return a != null && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String key(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static boolean isDuplicate(Throwable e) {
        return e instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
}
