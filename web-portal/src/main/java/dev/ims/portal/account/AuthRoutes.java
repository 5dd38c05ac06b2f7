package dev.ims.portal.account;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.JsonBodies;
import dev.ims.portal.web.LocalPath;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.web.Pages;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-up, log-in, log-out, password change and meter claims ({@link MeterClaims}), as pages and as API. Forms carry a
 * CSRF token: the session's for signed-in users, a double-submit cookie for the anonymous log-in and sign-up forms; the
 * {@link SessionGuard} in front of every route checks them.
 */
public final class AuthRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(AuthRoutes.class);

    private final Accounts accounts;
    private final SessionGuard sessions;
    private final MeterClaims claims;
    private final Pages pages;
    private final LoginThrottle perAccountAndAddress;
    private final LoginThrottle perAddress;
    private final LoginThrottle signups;

    public AuthRoutes(Accounts accounts, SessionGuard sessions, MeterClaims claims, Pages pages, java.time.Clock clock, AuthLimits limits) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.claims = claims;
        this.pages = pages;
        this.perAccountAndAddress = new LoginThrottle(limits.loginPerAccountAndAddress(), clock);
        this.perAddress = new LoginThrottle(limits.loginPerAddress(), clock);
        this.signups = new LoginThrottle(limits.signupsPerAddress(), clock);
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
            claims.ownedMeters(p).onSuccess(ids -> Responses.json(ctx, Map.of("username", p.username(), "role", p.role().name(), "meters", ids)))
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
        pages.render(ctx, "login.ftlh", model, sessions.anonymousCsrf(ctx));
    }

    private void loginForm(RoutingContext ctx) {
        if (!SessionGuard.anonymousCsrfValid(ctx)) {
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
        JsonNode body = JsonBodies.object(ctx);
        String raw = JsonBodies.text(body, "username");
        String username;
        try {
            username = Accounts.username(raw);
        } catch (HttpError e) {
            invalidUsername(ctx, raw);
            throw e;
        }
        logIn(ctx, username, JsonBodies.text(body, "password"), true).onSuccess(s -> {
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
            ctx.response().addCookie(sessions.sessionCookie("").setMaxAge(0));
            Responses.redirect(ctx, "/login");
        });
    }

    // ---- sign-up

    private void signupPage(RoutingContext ctx, int status, String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("error", error);
        model.put("username", ctx.request().getFormAttribute("username") == null ? "" : ctx.request().getFormAttribute("username"));
        ctx.response().setStatusCode(status);
        pages.render(ctx, "signup.ftlh", model, sessions.anonymousCsrf(ctx));
    }

    private void signupForm(RoutingContext ctx) {
        if (!SessionGuard.anonymousCsrfValid(ctx)) {
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
        claims.ownedMeters(p).onSuccess(meters -> {
            Map<String, Object> model = new HashMap<>();
            model.put("meters", meters);
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
        claims.claim(p, id == null ? "" : id.trim(), ctx.request().getFormAttribute("claimCode"))
                .onSuccess(meterId -> Responses.redirect(ctx, "/meters/" + meterId))
                .onFailure(e -> showOnForm(ctx, e, h -> accountPage(ctx, h.status(), h.getMessage(), null)));
    }

    private void apiClaim(RoutingContext ctx) {
        JsonNode body = JsonBodies.object(ctx);
        claims.claim(Access.principal(ctx), ctx.pathParam("id"), JsonBodies.text(body, "claimCode"))
                .onSuccess(id -> Responses.json(ctx, Map.of("meterId", id, "owner", Access.principal(ctx).username())))
                .onFailure(ctx::fail);
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
        ctx.response().addCookie(sessions.sessionCookie(token));
    }

    /** A local path to return to after log-in (see {@link LocalPath}); anything else becomes {@code /}. */
    public static String safeNext(String next) {
        return LocalPath.isSafe(next) ? next : "/";
    }
}
