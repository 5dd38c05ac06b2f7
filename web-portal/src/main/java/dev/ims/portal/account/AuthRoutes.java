package dev.ims.portal.account;

import static dev.ims.model.storage.StoreSchema.*;

import org.bson.Document;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.json.Json;
import dev.ims.model.meter.ClaimCodes;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.LocalPath;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.web.Mongo;
import dev.ims.portal.web.Pages;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-up, log-in, log-out, password change and meter claims, as pages and as API; and the handler that
 * authenticates every request. Forms carry a CSRF token: the session's for signed-in users, a
 * double-submit cookie for the anonymous log-in and sign-up forms. Cookie-authenticated API writes need the
 * session's token in {@code X-CSRF-Token}; bearer-token calls need none (browsers never add them).
 */
public final class AuthRoutes {

    public static final String SESSION_COOKIE = "ims_session";
    public static final String CSRF_COOKIE = "ims_csrf";
    public static final String CSRF_FIELD = "csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    private static final Logger LOG = LoggerFactory.getLogger(AuthRoutes.class);
    private static final List<String> PUBLIC = List.of("/login", "/signup", "/health", "/api/v1/login");

    private final Accounts accounts;
    private final MongoDatabase db;
    private final Pages pages;
    private final boolean secureCookies;
    private final HashGate hashes;
    private final LoginThrottle perAccountAndAddress;
    private final LoginThrottle perAddress;
    private final LoginThrottle claims;
    private final LoginThrottle signups;

    public AuthRoutes(Accounts accounts, MongoDatabase db, Pages pages, boolean secureCookies, java.time.Clock clock,
            AuthLimits limits, HashGate hashes) {
        this.accounts = accounts;
        this.db = db;
        this.pages = pages;
        this.secureCookies = secureCookies;
        this.hashes = hashes;
        this.perAccountAndAddress = new LoginThrottle(limits.loginPerAccountAndAddress(), clock);
        this.perAddress = new LoginThrottle(limits.loginPerAddress(), clock);
        this.claims = new LoginThrottle(limits.claimsPerAccount(), clock);
        this.signups = new LoginThrottle(limits.signupsPerAddress(), clock);
    }

    /** Must run after the body handler and before every protected route. */
    public void authenticate(RoutingContext ctx) {
        String path = ctx.request().path();
        String auth = ctx.request().getHeader("Authorization");
        boolean bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7);
        Cookie cookie = ctx.request().getCookie(SESSION_COOKIE);
        String token = bearer ? auth.substring(7).trim() : cookie == null ? null : cookie.getValue();
        accounts.session(token, bearer).onFailure(ctx::fail).onSuccess(p -> {
            if (p != null) {
                ctx.put(Access.KEY, p);
            }
            boolean open = path.startsWith("/static/") || PUBLIC.contains(path);
            if (p == null && !open) {
                if (isApi(path)) {
                    ctx.response().putHeader("WWW-Authenticate", "Bearer");
                    ctx.fail(new HttpError(401, token == null ? "sign in first: a session cookie or an Authorization: Bearer token is needed"
                            : "the session has ended; sign in again"));
                } else {
                    Responses.redirect(ctx, "/login?next=" + java.net.URLEncoder.encode(path, java.nio.charset.StandardCharsets.UTF_8));
                }
                return;
            }
            if (p != null && !p.bearer() && isWrite(ctx.request().method())) {
                String sent = isApi(path) ? ctx.request().getHeader(CSRF_HEADER) : ctx.request().getFormAttribute(CSRF_FIELD);
                if (!Accounts.same(sent, p.csrf())) {
                    ctx.fail(new HttpError(403, "the form has expired or did not come from this site; reload the page and try again"));
                    return;
                }
            }
            ctx.next();
        });
    }

    public void register(Router router) {
        router.get("/login").handler(ctx -> loginPage(ctx, 200, null));
        router.post("/login").handler(this::loginForm);
        router.get("/signup").handler(ctx -> signupPage(ctx, 200, null));
        router.post("/signup").handler(this::signupForm);
        router.post("/logout").handler(this::logout);
        router.get("/account").handler(ctx -> accountPage(ctx, 200, null, null));
        router.post("/account/password").handler(this::passwordForm);
        router.post("/account/meters").handler(this::claimForm);
        router.post("/api/v1/login").handler(this::apiLogin);
        router.post("/api/v1/logout").handler(ctx -> accounts.closeSession(Access.principal(ctx))
                .onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail));
        router.get("/api/v1/me").handler(ctx -> {
            Principal p = Access.principal(ctx);
            ownedMeters(p).onSuccess(ids -> Responses.json(ctx, Map.of("username", p.username(), "role", p.role().name(), "meters", ids)))
                    .onFailure(ctx::fail);
        });
        router.post("/api/v1/meters/:id/claim").handler(this::apiClaim);
    }

    // ---- log-in

    private void loginPage(RoutingContext ctx, int status, String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("next", safeNext(ctx.request().getParam("next")));
        model.put("error", error);
        model.put("username", ctx.request().getFormAttribute("username") == null ? "" : ctx.request().getFormAttribute("username"));
        ctx.response().setStatusCode(status);
        pages.render(ctx, "login.ftlh", model, anonymousCsrf(ctx));
    }

    private void loginForm(RoutingContext ctx) {
        if (!anonymousCsrfValid(ctx)) {
            loginPage(ctx, 403, "The form had expired. Please try again.");
            return;
        }
        String raw = ctx.request().getFormAttribute("username");
        String password = ctx.request().getFormAttribute("password");
        String username;
        try {
            username = Accounts.username(raw);
        } catch (HttpError e) {
            invalidUsername(ctx, raw);
            loginPage(ctx, 401, "Wrong username or password.");
            return;
        }
        logIn(ctx, username, password, false).onSuccess(s -> {
            setSessionCookie(ctx, s.token());
            Responses.redirect(ctx, safeNext(ctx.request().getFormAttribute("next")));
        }).onFailure(e -> {
            if (e instanceof HttpError h && (h.status() == 401 || h.status() == 429)) {
                retryAfter(ctx, h);
                loginPage(ctx, h.status(), h.status() == 401 ? "Wrong username or password." : h.getMessage());
            } else {
                ctx.fail(e);
            }
        });
    }

    private void apiLogin(RoutingContext ctx) {
        JsonNode body = jsonBody(ctx);
        String raw = text(body, "username");
        String username;
        try {
            username = Accounts.username(raw);
        } catch (HttpError e) {
            invalidUsername(ctx, raw);
            throw e;
        }
        logIn(ctx, username, text(body, "password"), true).onSuccess(s -> {
            // The answer carries a bearer token: no cache may keep it.
            ctx.response().putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache");
            Responses.json(ctx, Map.of(
                "token", s.token(), "username", s.principal().username(), "role", s.principal().role().name(),
                "expiresInSeconds", Accounts.API_SESSION.toSeconds()));
        }).onFailure(ctx::fail);
    }

    /**
     * Reserves an attempt under the account-and-address and the address limits (one atomic step each, before
     * any hashing; when the second refuses, the first is given back), checks the password, and opens a
     * session. The reservations count as failures unless the password is right (then they do not count, and
     * the account-and-address history is cleared) or the check never ran (the server was too busy: 503).
     * Fails with 401, 429 or 503.
     */
    private Future<Accounts.NewSession> logIn(RoutingContext ctx, String username, String password, boolean api) {
        String address = address(ctx);
        LoginThrottle.Decision mine = perAccountAndAddress.reserve("login:" + username + "|" + address);
        LoginThrottle.Decision all = mine.allowed() ? perAddress.reserve("login:" + address) : mine;
        if (!all.allowed()) {
            if (mine.allowed()) {
                mine.permit().release();
            }
            // DEBUG: under attack refusals come by the thousand; the failures that caused them are logged at INFO.
            LOG.debug("Log-in for '{}' from {} refused for {} s: too many failures", LogSafe.of(username), LogSafe.of(address),
                    all.retryAfter().toSeconds());
            return Future.failedFuture(HttpError.tooMany("too many failed attempts", all.retryAfter()));
        }
        LoginThrottle.Permit permit = mine.permit();
        LoginThrottle.Permit addressPermit = all.permit();
        Future<Accounts.NewSession> result;
        try {
            result = accounts.check(username, password == null ? "" : password).compose(role -> {
                // The account's own history from here is cleared; the address's is not, or an attacker could
                // wipe it by logging into an account of their own now and then.
                permit.reset();
                addressPermit.release();
                return accounts.openSession(username, role, api);
            });
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        return result.onFailure(e -> {
            if (e instanceof HttpError h && h.status() == 401) {
                permit.keep();
                addressPermit.keep();
                LOG.info("Failed log-in for '{}' from {}", LogSafe.of(username), LogSafe.of(address));
            } else {
                // Busy (503) or a store failure: the password was never judged, so the attempt does not count.
                permit.release();
                addressPermit.release();
            }
        });
    }

    /**
     * A log-in with a name that cannot be an account: logged (escaped: such names are where log-forging
     * attempts show up) and counted as a failure of the address, without any hashing.
     */
    private void invalidUsername(RoutingContext ctx, String raw) {
        String address = address(ctx);
        LoginThrottle.Decision d = perAddress.reserve("login:" + address);
        if (d.allowed()) {
            d.permit().keep();
        }
        LOG.info("Failed log-in for invalid username '{}' from {}", LogSafe.of(raw), LogSafe.of(address));
    }

    /** The client's address: the connection's, or the forwarded one behind a proxy ({@code PORTAL_BEHIND_PROXY}). */
    private static String address(RoutingContext ctx) {
        io.vertx.core.net.SocketAddress a = ctx.request().remoteAddress();
        return a == null || a.hostAddress() == null ? "unknown" : a.hostAddress();
    }

    /** Puts the error's Retry-After on the answer, for errors shown on a form instead of by the failure handler. */
    private static void retryAfter(RoutingContext ctx, HttpError h) {
        if (h.retryAfter() != null) {
            ctx.response().putHeader("Retry-After", h.retryAfterSeconds());
        }
    }

    private void logout(RoutingContext ctx) {
        accounts.closeSession(Access.principal(ctx)).onFailure(ctx::fail).onSuccess(v -> {
            ctx.response().addCookie(sessionCookie("").setMaxAge(0));
            Responses.redirect(ctx, "/login");
        });
    }

    // ---- sign-up

    private void signupPage(RoutingContext ctx, int status, String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("error", error);
        model.put("username", ctx.request().getFormAttribute("username") == null ? "" : ctx.request().getFormAttribute("username"));
        ctx.response().setStatusCode(status);
        pages.render(ctx, "signup.ftlh", model, anonymousCsrf(ctx));
    }

    private void signupForm(RoutingContext ctx) {
        if (!anonymousCsrfValid(ctx)) {
            signupPage(ctx, 403, "The form had expired. Please try again.");
            return;
        }
        String username;
        try {
            username = Accounts.username(ctx.request().getFormAttribute("username"));
        } catch (HttpError e) {
            signupPage(ctx, 400, e.getMessage());
            return;
        }
        String password = ctx.request().getFormAttribute("password");
        if (password == null || !password.equals(ctx.request().getFormAttribute("password2"))) {
            signupPage(ctx, 400, "The two passwords differ.");
            return;
        }
        // Every created account counts against the address; the reservation is taken before the hash, so
        // parallel sign-ups cannot exceed the limit either.
        String address = address(ctx);
        LoginThrottle.Decision d = signups.reserve("signup:" + address);
        if (!d.allowed()) {
            LOG.debug("Sign-up from {} refused for {} s: too many accounts", LogSafe.of(address), d.retryAfter().toSeconds());
            HttpError e = HttpError.tooMany("too many new accounts from your address", d.retryAfter());
            retryAfter(ctx, e);
            signupPage(ctx, 429, e.getMessage());
            return;
        }
        accounts.create(username, password, Role.CONSUMER)
                .onComplete(r -> {
                    if (r.succeeded()) {
                        d.permit().keep();
                    } else {
                        d.permit().release();
                    }
                })
                .compose(v -> accounts.openSession(username, Role.CONSUMER, false))
                .onSuccess(s -> {
                    LOG.info("New consumer account '{}' from {}", LogSafe.of(username), LogSafe.of(address));
                    setSessionCookie(ctx, s.token());
                    Responses.redirect(ctx, "/account");
                })
                .onFailure(e -> showOnForm(ctx, e, h -> signupPage(ctx, h.status(), h.getMessage())));
    }

    // ---- account

    private void accountPage(RoutingContext ctx, int status, String error, String done) {
        Principal p = Access.principal(ctx);
        Mongo.list(db.getCollection(METERS).find(ownedBy(p)).sort(Sorts.ascending(ID))).onSuccess(meters -> {
            Map<String, Object> model = new HashMap<>();
            model.put("meters", meters.stream().map(m -> m.getString(ID)).toList());
            model.put("error", error);
            model.put("done", done);
            model.put("meterId", ctx.request().getFormAttribute("meterId") == null ? "" : ctx.request().getFormAttribute("meterId"));
            ctx.response().setStatusCode(status);
            pages.render(ctx, "account.ftlh", model, p.csrf());
        }).onFailure(ctx::fail);
    }

    private void passwordForm(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        String replacement = ctx.request().getFormAttribute("password");
        if (replacement == null || !replacement.equals(ctx.request().getFormAttribute("password2"))) {
            accountPage(ctx, 400, "The two new passwords differ.", null);
            return;
        }
        String problem = Passwords.policyProblem(p.username(), replacement);
        if (problem != null) {
            accountPage(ctx, 400, problem, null);
            return;
        }
        // Guessing the current password with a stolen session is limited like guessing it at the log-in.
        LoginThrottle.Decision d = perAccountAndAddress.reserve("login:" + p.username() + "|" + address(ctx));
        if (!d.allowed()) {
            HttpError e = HttpError.tooMany("too many wrong passwords", d.retryAfter());
            retryAfter(ctx, e);
            accountPage(ctx, 429, e.getMessage(), null);
            return;
        }
        accounts.changePassword(p, ctx.request().getFormAttribute("current"), replacement)
                .onComplete(r -> {
                    if (r.succeeded()) {
                        d.permit().reset();
                    } else if (r.cause() instanceof HttpError h && h.status() == 400) {
                        d.permit().keep();
                    } else {
                        d.permit().release();
                    }
                })
                .onSuccess(v -> accountPage(ctx, 200, null, "Password changed. Your other sessions were signed out."))
                .onFailure(e -> showOnForm(ctx, e, h -> accountPage(ctx, h.status(), h.getMessage(), null)));
    }

    private void claimForm(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        String id = ctx.request().getFormAttribute("meterId");
        claim(ctx, p, id == null ? "" : id.trim(), ctx.request().getFormAttribute("claimCode"))
                .onSuccess(meterId -> Responses.redirect(ctx, "/meters/" + meterId))
                .onFailure(e -> showOnForm(ctx, e, h -> accountPage(ctx, h.status(), h.getMessage(), null)));
    }

    private void apiClaim(RoutingContext ctx) {
        JsonNode body = jsonBody(ctx);
        claim(ctx, Access.principal(ctx), ctx.pathParam("id"), text(body, "claimCode"))
                .onSuccess(id -> Responses.json(ctx, Map.of("meterId", id, "owner", Access.principal(ctx).username())))
                .onFailure(ctx::fail);
    }

    /**
     * Links meter {@code rawId} to the principal when {@code code} matches the verifier the meter published.
     * Wrong codes count against a per-account throttle; a meter another account holds answers 409 only to
     * someone who knows its code.
     */
    private Future<String> claim(RoutingContext ctx, Principal p, String rawId, String code) {
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

    // ---- helpers

    /** A client error goes back to the form it came from; anything else to the one failure handler. */
    private static void showOnForm(RoutingContext ctx, Throwable e, java.util.function.Consumer<HttpError> form) {
        if (e instanceof HttpError h && h.status() < 500) {
            retryAfter(ctx, h);
            form.accept(h);
        } else {
            ctx.fail(e);
        }
    }

    private void setSessionCookie(RoutingContext ctx, String token) {
        ctx.response().addCookie(sessionCookie(token));
    }

    private Cookie sessionCookie(String value) {
        return Cookie.cookie(SESSION_COOKIE, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.LAX)
                .setSecure(secureCookies);
    }

    /** The double-submit token for anonymous forms: the cookie's, or a new one set now. */
    private String anonymousCsrf(RoutingContext ctx) {
        Cookie c = ctx.request().getCookie(CSRF_COOKIE);
        if (c != null && c.getValue().length() >= 20) {
            return c.getValue();
        }
        String token = Accounts.token();
        ctx.response().addCookie(Cookie.cookie(CSRF_COOKIE, token).setPath("/").setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setSecure(secureCookies));
        return token;
    }

    private static boolean anonymousCsrfValid(RoutingContext ctx) {
        Cookie c = ctx.request().getCookie(CSRF_COOKIE);
        return c != null && Accounts.same(c.getValue(), ctx.request().getFormAttribute(CSRF_FIELD));
    }

    /** A local path to return to after log-in (see {@link LocalPath}); anything else becomes {@code /}. */
    public static String safeNext(String next) {
        return LocalPath.isSafe(next) ? next : "/";
    }

    /** Calls made by programs: without a session they get 401, not a redirect to the log-in page. */
    private static boolean isApi(String path) {
        return path.startsWith("/api/") || path.equals("/metrics");
    }

    private static boolean isWrite(HttpMethod m) {
        return m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS;
    }

    public static JsonNode jsonBody(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
            throw HttpError.badRequest("a JSON body is required");
        }
        try {
            JsonNode n = Json.mapper().readTree(ctx.body().buffer().getBytes());
            if (n == null || !n.isObject()) {
                throw HttpError.badRequest("the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw HttpError.badRequest("the body is not valid JSON");
        }
    }

    public static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual()) {
            throw HttpError.badRequest(field + " is required and must be a string");
        }
        return v.asText();
    }
}
