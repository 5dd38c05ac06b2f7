package dev.ims.portal.metrics;

import dev.ims.portal.account.Access;
import dev.ims.portal.account.Accounts;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics} in the Prometheus text format, for a scraper holding {@code METRICS_TOKEN} as its
 * bearer token, or for a staff session (checked by the portal's one session check, like every page).
 */
public final class MetricsRoutes {

    private final PrometheusMeterRegistry registry;
    private final String token;

    /** @param token the scraper's bearer token ({@code METRICS_TOKEN}), or null: staff sessions only */
    public MetricsRoutes(PrometheusMeterRegistry registry, String token) {
        this.registry = registry;
        this.token = token;
    }

    /** Before the session check: a scraper has no session, only the token. Anyone else goes on to it. */
    public void registerScraper(Router router) {
        router.get("/metrics").handler(ctx -> {
            String auth = ctx.request().getHeader("Authorization");
            String bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
            if (token != null && Accounts.same(token, bearer)) {
                send(ctx);
            } else {
                ctx.next();
            }
        });
    }

    /** After the session check: staff only. */
    public void register(Router router) {
        router.get("/metrics").handler(ctx -> {
            Access.staff(ctx);
            send(ctx);
        });
    }

    private void send(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
    }
}
