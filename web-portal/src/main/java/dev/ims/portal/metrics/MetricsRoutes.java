package dev.ims.portal.metrics;

import dev.ims.portal.account.Accounts;
import dev.ims.portal.web.HttpError;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics} in the Prometheus text format, for a scraper holding {@code METRICS_TOKEN} as its
 * bearer token, or for a staff session. Everyone else: 401.
 */
public final class MetricsRoutes {

    private final PrometheusMeterRegistry registry;
    private final Accounts accounts;
    private final String token;

    /** @param token the scraper's bearer token ({@code METRICS_TOKEN}), or null: staff sessions only */
    public MetricsRoutes(PrometheusMeterRegistry registry, Accounts accounts, String token) {
        this.registry = registry;
        this.accounts = accounts;
        this.token = token;
    }

    /** Registered before the session check: a scraper has no session. */
    public void register(Router router) {
        router.get("/metrics").handler(this::metrics);
    }

    private void metrics(RoutingContext ctx) {
        String auth = ctx.request().getHeader("Authorization");
        String bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
        if (token != null && Accounts.same(token, bearer)) {
            send(ctx);
            return;
        }
        io.vertx.core.http.Cookie cookie = ctx.request().getCookie(dev.ims.portal.account.AuthRoutes.SESSION_COOKIE);
        String session = bearer != null ? bearer : cookie == null ? null : cookie.getValue();
        accounts.session(session, bearer != null).onFailure(ctx::fail).onSuccess(p -> {
            if (p == null || !p.isStaff()) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
                ctx.fail(new HttpError(401, "metrics need the METRICS_TOKEN bearer token or a staff session"));
                return;
            }
            send(ctx);
        });
    }

    private void send(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
    }
}
