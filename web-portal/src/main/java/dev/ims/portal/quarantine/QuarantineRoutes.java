package dev.ims.portal.quarantine;

import static dev.ims.model.storage.StoreSchema.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.portal.account.Access;
import dev.ims.portal.web.JsonBodies;
import dev.ims.portal.account.Principal;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.quarantine.QuarantineStore.Action;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Staff only: {@code GET /api/v1/meters/{id}/quarantine?limit=} (the meter's quarantined readings, newest
 * first; an unknown meter is a 404 like on every meter route), {@code POST /api/v1/rejected/{id}/accept}
 * (202) and {@code .../discard} (200) with {@code {"reason": "..."}}, and the meter page's forms
 * {@code POST /meters/{id}/quarantine/{rejectedId}/accept|discard}, which redirect back to the page. A
 * decision on a reading that is no longer open is a 409; a malformed or unknown ID a 404.
 */
public final class QuarantineRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(QuarantineRoutes.class);
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 1000;

    private final QuarantineStore store;
    private final MeterRoutes meters;

    public QuarantineRoutes(QuarantineStore store, MeterRoutes meters) {
        this.store = store;
        this.meters = meters;
    }

    public void register(Router router) {
        router.get("/api/v1/meters/:id/quarantine").handler(this::list);
        router.post("/api/v1/rejected/:rejectedId/accept").handler(ctx -> api(ctx, Action.ACCEPT));
        router.post("/api/v1/rejected/:rejectedId/discard").handler(ctx -> api(ctx, Action.DISCARD));
        router.post("/meters/:id/quarantine/:rejectedId/accept").handler(ctx -> form(ctx, Action.ACCEPT));
        router.post("/meters/:id/quarantine/:rejectedId/discard").handler(ctx -> form(ctx, Action.DISCARD));
    }

    private void list(RoutingContext ctx) {
        Access.staff(ctx);
        int limit = Params.limit(ctx.request().getParam("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        meters.meter(ctx).compose(m -> store.forMeter(m.getString(ID), false, limit))
                .onSuccess(l -> Responses.json(ctx, l)).onFailure(ctx::fail);
    }

    private void api(RoutingContext ctx, Action action) {
        Principal p = Access.staff(ctx);
        JsonNode body = JsonBodies.object(ctx);
        JsonNode r = body.get("reason");
        String reason = Params.reason(r == null || !r.isTextual() ? null : r.asText());
        decide(ctx, p, null, action, reason).onSuccess(q -> Responses.json(ctx, action == Action.ACCEPT ? 202 : 200, q))
                .onFailure(ctx::fail);
    }

    private void form(RoutingContext ctx, Action action) {
        Principal p = Access.staff(ctx);
        String reason = Params.reason(ctx.request().getFormAttribute("reason"));
        meters.meter(ctx).compose(m -> decide(ctx, p, m.getString(ID), action, reason))
                .onSuccess(q -> Responses.redirect(ctx, "/meters/" + q.meterId() + "#quarantine"))
                .onFailure(ctx::fail);
    }

    private Future<QuarantinedReading> decide(RoutingContext ctx, Principal p, String meterId, Action action, String reason) {
        return store.decide(ctx.pathParam("rejectedId"), meterId, action, p.username(), reason)
                .onSuccess(q -> LOG.info("Quarantined reading {} of meter {}: {} by {} ({})", q.id(), LogSafe.of(q.meterId()), action,
                        LogSafe.of(p.username()), LogSafe.of(reason)));
    }
}
