package dev.ims.portal.command;

import static dev.ims.model.storage.StoreSchema.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.command.CommandState;
import dev.ims.portal.account.Access;
import dev.ims.portal.account.Principal;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.JsonBodies;
import dev.ims.portal.web.Pages;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Staff fleet operations on relays, all staff only: the "do not disconnect" flag
 * ({@code PUT|DELETE /api/v1/meters/{id}/do-not-disconnect}, the meter page's form), approvals
 * ({@code POST /api/v1/commands/{commandId}/approve|reject}, forms under {@code /staff/commands/}), commands by state
 * ({@code GET /api/v1/commands?state=}), and bulk requests ({@code POST /api/v1/commands/bulk},
 * {@code GET /api/v1/commands/bulk/{bulkId}}, the pages {@code /staff/bulk} and {@code /staff/bulk/{bulkId}}).
 */
public final class OperationsRoutes {

    /** Approvals listed on {@code /staff/bulk}, oldest first; the API lists up to its limit. */
    static final int APPROVALS_ON_PAGE = 100;
    static final int BULKS_ON_PAGE = 20;
    /** The longest approval or rejection note. */
    static final int MAX_NOTE = Params.MAX_REASON;

    private final RelayOperations operations;
    private final BulkCommands bulks;
    private final MeterRoutes meters;
    private final Pages pages;

    public OperationsRoutes(RelayOperations operations, BulkCommands bulks, MeterRoutes meters, Pages pages) {
        this.operations = operations;
        this.bulks = bulks;
        this.meters = meters;
        this.pages = pages;
    }

    public void register(Router router) {
        router.put("/api/v1/meters/:id/do-not-disconnect").handler(ctx -> apiFlag(ctx, true));
        router.delete("/api/v1/meters/:id/do-not-disconnect").handler(ctx -> apiFlag(ctx, false));
        router.post("/meters/:id/do-not-disconnect").handler(this::formFlag);
        router.get("/api/v1/commands").handler(this::list);
        router.post("/api/v1/commands/bulk").handler(this::apiBulk);
        router.get("/api/v1/commands/bulk/:bulkId").handler(this::apiBulkView);
        router.post("/api/v1/commands/:commandId/approve").handler(ctx -> apiDecide(ctx, true));
        router.post("/api/v1/commands/:commandId/reject").handler(ctx -> apiDecide(ctx, false));
        router.post("/staff/commands/:commandId/approve").handler(ctx -> formDecide(ctx, true));
        router.post("/staff/commands/:commandId/reject").handler(ctx -> formDecide(ctx, false));
        router.get("/staff/bulk").handler(this::bulkPage);
        router.post("/staff/bulk").handler(this::bulkForm);
        router.get("/staff/bulk/:bulkId").handler(this::bulkResultPage);
    }

    // ---- do not disconnect ------------------------------------------------------------------------------------------

    private void apiFlag(RoutingContext ctx, boolean set) {
        Principal p = Access.staff(ctx);
        JsonNode body = JsonBodies.object(ctx);
        String reason = Params.reason(body.get("reason") != null && body.get("reason").isTextual() ? body.get("reason").asText() : null);
        flag(ctx, p, set, reason).onSuccess(flag -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("meterId", ctx.pathParam("id"));
            out.put("doNotDisconnect", flag == null ? null : Responses.plain(flag));
            Responses.json(ctx, out);
        }).onFailure(ctx::fail);
    }

    private void formFlag(RoutingContext ctx) {
        Principal p = Access.staff(ctx);
        String action = ctx.request().getFormAttribute("action");
        if (!"set".equals(action) && !"clear".equals(action)) {
            throw HttpError.badRequest("action must be set or clear");
        }
        String reason = Params.reason(ctx.request().getFormAttribute("reason"));
        flag(ctx, p, "set".equals(action), reason)
                .onSuccess(f -> Responses.redirect(ctx, "/meters/" + ctx.pathParam("id") + "#do-not-disconnect")).onFailure(ctx::fail);
    }

    /** @return the flag as set now, or null once cleared */
    private Future<org.bson.Document> flag(RoutingContext ctx, Principal p, boolean set, String reason) {
        return meters.meter(ctx).compose(m -> set ? operations.flag(m.getString(ID), p.username(), reason)
                : operations.unflag(m, p.username(), reason).map((org.bson.Document) null));
    }

    // ---- approvals --------------------------------------------------------------------------------------------------

    private static String commandId(RoutingContext ctx) {
        String id = ctx.pathParam("commandId");
        if (id == null || !id.matches("[0-9a-f-]{36}")) {
            throw HttpError.notFound("no command " + id);
        }
        return id;
    }

    /** An optional note: null when absent or blank, else one line of at most {@value #MAX_NOTE} characters. */
    static String note(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String n = raw.strip();
        if (n.length() > MAX_NOTE || n.chars().anyMatch(Character::isISOControl)) {
            throw HttpError.badRequest("note must be at most " + MAX_NOTE + " characters on one line");
        }
        return n;
    }

    private void apiDecide(RoutingContext ctx, boolean approve) {
        Principal p = Access.staff(ctx);
        String id = commandId(ctx);
        String note = null;
        if (ctx.body() != null && ctx.body().length() > 0) {
            JsonNode n = JsonBodies.object(ctx).get("note");
            if (n != null && !n.isNull() && !n.isTextual()) {
                throw HttpError.badRequest("note must be a string");
            }
            note = note(n == null || n.isNull() ? null : n.asText());
        }
        decide(p, id, approve, note).onSuccess(d -> Responses.json(ctx, CommandService.view(d, true))).onFailure(ctx::fail);
    }

    private void formDecide(RoutingContext ctx, boolean approve) {
        Principal p = Access.staff(ctx);
        String id = commandId(ctx);
        String note = note(ctx.request().getFormAttribute("note"));
        String back = ctx.request().getFormAttribute("back");
        String target = back != null && (back.equals("/staff/bulk") || back.matches("/meters/[A-Za-z0-9_-]{3,64}")) ? back : "/staff/bulk";
        decide(p, id, approve, note).onSuccess(d -> Responses.redirect(ctx, target + (target.startsWith("/meters/") ? "#relay" : "#approvals")))
                .onFailure(ctx::fail);
    }

    /** @return the command as it is after the decision */
    private Future<org.bson.Document> decide(Principal p, String id, boolean approve, String note) {
        return approve ? operations.approve(id, p.username(), note).compose(sent -> operations.commands().find(id))
                : operations.reject(id, p.username(), note);
    }

    private void list(RoutingContext ctx) {
        Access.staff(ctx);
        String raw = ctx.request().getParam("state");
        CommandState state;
        try {
            state = CommandState.valueOf(raw == null ? "" : raw);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("state is required, one of " + java.util.Arrays.toString(CommandState.values()));
        }
        int limit = Params.limit(ctx.request().getParam("limit"), 100, 1000);
        operations.inState(state, limit).onSuccess(l -> Responses.json(ctx, l.stream().map(d -> CommandService.view(d, true)).toList()))
                .onFailure(ctx::fail);
    }

    // ---- bulk -------------------------------------------------------------------------------------------------------

    private void apiBulk(RoutingContext ctx) {
        Principal p = Access.staff(ctx);
        BulkCommands.Request request = BulkCommands.parse(JsonBodies.object(ctx));
        bulks.submit(request, p.username()).onSuccess(view -> {
            ctx.response().putHeader("Location", "/api/v1/commands/bulk/" + view.get("bulkId"));
            Responses.json(ctx, 202, view);
        }).onFailure(ctx::fail);
    }

    private static String bulkId(RoutingContext ctx) {
        String id = ctx.pathParam("bulkId");
        if (id == null || !id.matches("[0-9a-f-]{36}")) {
            throw HttpError.notFound("no bulk request " + id);
        }
        return id;
    }

    private void apiBulkView(RoutingContext ctx) {
        Access.staff(ctx);
        String id = bulkId(ctx);
        bulks.view(id).onSuccess(v -> {
            if (v == null) {
                ctx.fail(HttpError.notFound("no bulk request " + id));
            } else {
                Responses.json(ctx, v);
            }
        }).onFailure(ctx::fail);
    }

    private void bulkPage(RoutingContext ctx) {
        Access.staff(ctx);
        Future<List<org.bson.Document>> waiting = operations.inState(CommandState.AWAITING_APPROVAL, APPROVALS_ON_PAGE);
        Future<List<org.bson.Document>> recent = bulks.recent(BULKS_ON_PAGE);
        Future.all(waiting, recent).onSuccess(v -> {
            Map<String, Object> model = new HashMap<>();
            model.put("awaiting", waiting.result().stream().map(d -> CommandService.view(d, true)).toList());
            model.put("bulks", recent.result().stream().map(Responses::plain).toList());
            model.put("maxMeters", CommandOptions.MAX_BULK_METERS);
            pages.render(ctx, "bulk.ftlh", model);
        }).onFailure(ctx::fail);
    }

    private void bulkForm(RoutingContext ctx) {
        Principal p = Access.staff(ctx);
        BulkCommands.Request request = BulkCommands.parseForm(ctx.request().getFormAttribute("meterIds"), ctx.request().getFormAttribute("relay"),
                ctx.request().getFormAttribute("reason"), ctx.request().getFormAttribute("overrideReason"),
                ctx.request().getFormAttribute("validForHours"));
        bulks.submit(request, p.username()).onSuccess(view -> Responses.redirect(ctx, "/staff/bulk/" + view.get("bulkId")))
                .onFailure(ctx::fail);
    }

    private void bulkResultPage(RoutingContext ctx) {
        Access.staff(ctx);
        String id = bulkId(ctx);
        bulks.view(id).onSuccess(v -> {
            if (v == null) {
                ctx.fail(HttpError.notFound("no bulk request " + id));
                return;
            }
            pages.render(ctx, "bulk-result.ftlh", Map.of("bulk", v, "refresh", "RUNNING".equals(v.get("state")) ? 2 : 0));
        }).onFailure(ctx::fail);
    }
}
