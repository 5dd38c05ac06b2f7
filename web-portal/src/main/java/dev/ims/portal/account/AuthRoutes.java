package dev.ims.portal.account;

import static dev.ims.model.storage.StoreSchema.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.json.Json;
import dev.ims.model.meter.ClaimCodes;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import dev.ims.portal.web.Pages;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Duration;
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
    private final Vertx vertx;
    private final Pages pages;
    private final boolean secureCookies;
    private final LoginThrottle perUser;
    private final LoginThrottle perAddress;
    private final LoginThrottle claims;

    public AuthRoutes(Accounts accounts, MongoDatabase db, Vertx vertx, Pages pages, boolean secureCookies, java.time.Clock clock) {
        this.accounts = accounts;
        this.db = db;
        this.vertx = vertx;
        this.pages = pages;
        this.secureCookies = secureCookies;
        this.perUser = new LoginThrottle(5, Duration.ofMinutes(15), clock);
        this.perAddress = new LoginThrottle(30, Duration.ofMinutes(15), clock);
        this.claims = new LoginThrottle(10, Duration.ofHours(1), clock);
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
            loginPage(ctx, 401, "Wrong username or password.");
            return;
        }
        logIn(ctx, username, password, false).onSuccess(s -> {
            setSessionCookie(ctx, s.token());
            Responses.redirect(ctx, safeNext(ctx.request().getFormAttribute("next")));
        }).onFailure(e -> {
            if (e instanceof HttpError h && (h.status() == 401 || h.status() == 429)) {
                loginPage(ctx, h.status(), h.status() == 401 ? "Wrong username or password." : h.getMessage());
            } else {
                ctx.fail(e);
            }
        });
    }

    private void apiLogin(RoutingContext ctx) {
        JsonNode body = jsonBody(ctx);
        String username = Accounts.username(text(body, "username"));
        logIn(ctx, username, text(body, "password"), true).onSuccess(s -> Responses.json(ctx, Map.of(
                "token", s.token(), "username", s.principal().username(), "role", s.principal().role().name(),
                "expiresInSeconds", Accounts.API_SESSION.toSeconds()))).onFailure(ctx::fail);
    }

    /** Checks the throttles, the password, and opens a session. Fails with 401 or 429. */
    private Future<Accounts.NewSession> logIn(RoutingContext ctx, String username, String password, boolean api) {
        String address = "ip:" + ctx.request().remoteAddress().hostAddress();
        Duration wait = max(perUser.retryAfter("user:" + username), perAddress.retryAfter(address));
        if (!wait.isZero()) {
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
            return Future.failedFuture(new HttpError(429, "too many failed attempts; try again in "
                    + Math.max(1, wait.toMinutes()) + " minute(s)"));
        }
        return accounts.check(username, password == null ? "" : password).recover(e -> {
            if (e instanceof HttpError h && h.status() == 401) {
                perUser.failed("user:" + username);
                perAddress.failed(address);
                LOG.info("Failed log-in for '{}' from {}", username, address.substring(3));
            }
            return Future.failedFuture(e);
        }).compose(role -> {
            perUser.succeeded("user:" + username);
            return accounts.openSession(username, role, api);
        });
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
        accounts.create(username, password, Role.CONSUMER)
                .compose(v -> accounts.openSession(username, Role.CONSUMER, false))
                .onSuccess(s -> {
                    LOG.info("New consumer account '{}'", username);
                    setSessionCookie(ctx, s.token());
                    Responses.redirect(ctx, "/account");
                })
                .onFailure(e -> showOnForm(ctx, e, h -> signupPage(ctx, h.status(), h.getMessage())));
    }

    // ---- account

    private void accountPage(RoutingContext ctx, int status, String error, String done) {
        Principal p = Access.principal(ctx);
        Mongo.list(db.getCollection(METERS).find(Filters.eq(OWNER, p.username())).sort(Sorts.ascending(ID))).onSuccess(meters -> {
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
        accounts.changePassword(p, ctx.request().getFormAttribute("current"), replacement)
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
        String key = "claim:" + p.username();
        Duration wait = claims.retryAfter(key);
        if (!wait.isZero()) {
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
            return Future.failedFuture(new HttpError(429, "too many wrong claim codes; try again in "
                    + Math.max(1, wait.toMinutes()) + " minute(s)"));
        }
        if (code == null || code.isBlank() || code.length() > 64) {
            return Future.failedFuture(HttpError.badRequest("enter the claim code shown on the meter"));
        }
        return Mongo.first(db.getCollection(METERS).find(Filters.eq(ID, meterId))).compose(meter -> {
            String verifier = meter == null ? null : meter.getString(CLAIM_VERIFIER);
            return vertx.executeBlocking(() -> verifier != null && ClaimCodes.matches(verifier, code), false).compose(ok -> {
                if (!ok) {
                    claims.failed(key);
                    return Future.failedFuture(HttpError.badRequest("that meter ID and claim code do not match a meter that has reported"));
                }
                String owner = meter.getString(OWNER);
                if (owner != null && !owner.equals(p.username())) {
                    return Future.failedFuture(new HttpError(409, "this meter is already linked to another account"));
                }
                return Mongo.first(db.getCollection(METERS).updateOne(
                                Filters.and(Filters.eq(ID, meterId), Filters.or(Filters.exists(OWNER, false), Filters.eq(OWNER, p.username()))),
                                Updates.set(OWNER, p.username())))
                        .compose(r -> r.getMatchedCount() == 1 ? Future.succeededFuture(meterId)
                                : Future.failedFuture(new HttpError(409, "this meter is already linked to another account")))
                        .onSuccess(id -> LOG.info("Meter {} linked to '{}'", id, p.username()));
            });
        });
    }

    /** IDs of the meters the principal may see: their own (staff: none listed here, they see the fleet). */
    public Future<List<String>> ownedMeters(Principal p) {
        return Mongo.list(db.getCollection(METERS).find(Filters.eq(OWNER, p.username())).sort(Sorts.ascending(ID)))
                .map(l -> l.stream().map(d -> d.getString(ID)).toList());
    }

    // ---- helpers

    /** A client error goes back to the form it came from; anything else to the one failure handler. */
    private static void showOnForm(RoutingContext ctx, Throwable e, java.util.function.Consumer<HttpError> form) {
        if (e instanceof HttpError h && h.status() < 500) {
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

    /** A local path to return to after log-in; anything else (other sites, {@code //host}) becomes {@code /}. */
    public static String safeNext(String next) {
        return next != null && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\")
                && next.length() < 300 && !next.contains("\n") && !next.contains("\r") ? next : "/";
    }

    /** Calls made by programs: without a session they get 401, not a redirect to the log-in page. */
    private static boolean isApi(String path) {
        return path.startsWith("/api/") || path.equals("/metrics");
    }

    private static boolean isWrite(HttpMethod m) {
        return m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
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
