package dev.ims.portal.account;

import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Responses;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The session middleware: finds the principal of every request (a session cookie, or a bearer token), sends the
 * anonymous to the log-in page (pages) or answers 401 (API), and checks the CSRF token of cookie-authenticated writes
 * (forms: the session's token in the {@value #CSRF_FIELD} field; API: in {@value #CSRF_HEADER}); bearer-token calls need
 * none (browsers never add them). Also the session and double-submit cookies the log-in and sign-up forms set.
 */
public final class SessionGuard {

    public static final String SESSION_COOKIE = "ims_session";
    public static final String CSRF_COOKIE = "ims_csrf";
    public static final String CSRF_FIELD = "csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    private static final List<String> PUBLIC = List.of("/login", "/signup", "/health", "/api/v1/login");

    private final Accounts accounts;
    private final boolean secureCookies;

    /** @param secureCookies mark cookies {@code Secure} (served over HTTPS) */
    public SessionGuard(Accounts accounts, boolean secureCookies) {
        this.accounts = accounts;
        this.secureCookies = secureCookies;
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

    /** The session cookie carrying {@code value} ("" with a max age of 0 removes it). */
    Cookie sessionCookie(String value) {
        return Cookie.cookie(SESSION_COOKIE, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.LAX)
                .setSecure(secureCookies);
    }

    /** The double-submit token for anonymous forms: the cookie's, or a new one set now. */
    String anonymousCsrf(RoutingContext ctx) {
        Cookie c = ctx.request().getCookie(CSRF_COOKIE);
        if (c != null && c.getValue().length() >= 20) {
            return c.getValue();
        }
        String token = Accounts.token();
        ctx.response().addCookie(Cookie.cookie(CSRF_COOKIE, token).setPath("/").setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setSecure(secureCookies));
        return token;
    }

    static boolean anonymousCsrfValid(RoutingContext ctx) {
        Cookie c = ctx.request().getCookie(CSRF_COOKIE);
        return c != null && Accounts.same(c.getValue(), ctx.request().getFormAttribute(CSRF_FIELD));
    }

    /** Calls made by programs: without a session they get 401, not a redirect to the log-in page. */
    private static boolean isApi(String path) {
        return path.startsWith("/api/") || path.equals("/metrics");
    }

    private static boolean isWrite(HttpMethod m) {
        return m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS;
    }
}
