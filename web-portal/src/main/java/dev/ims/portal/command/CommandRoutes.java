package dev.ims.portal.command;

import dev.ims.portal.store.MeterDocs;
import static dev.ims.model.storage.StoreSchema.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.reading.RelayState;
import dev.ims.portal.account.Access;
import dev.ims.portal.web.JsonBodies;
import dev.ims.portal.account.Principal;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.web.HttpError;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/meters/{id}/relay} (staff; through {@link RelayOperations}: interlock, do not disconnect),
 * {@code GET /api/v1/commands/{commandId}} and {@code GET /api/v1/meters/{id}/commands} (staff, or the meter's owner), and
 * the staff form on the meter page ({@code POST /meters/{id}/relay}, with an optional {@code overrideReason}).
 */
public final class CommandRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(CommandRoutes.class);

    private final CommandService commands;
    private final MeterRoutes meters;
    private final RelayOperations operations;

    /** @param operations the safeguards every supply relay request passes (interlock, do not disconnect) */
    public CommandRoutes(RelayOperations operations, MeterRoutes meters) {
        this.commands = operations.commands();
        this.operations = operations;
        this.meters = meters;
    }

    public void register(Router router) {
        router.post("/api/v1/meters/:id/relay").handler(this::apiRelay);
        router.post("/meters/:id/relay").handler(this::formRelay);
        router.get("/api/v1/commands/:commandId").handler(this::one);
        router.get("/api/v1/meters/:id/commands").handler(ctx -> {
            int limit = Params.limit(ctx.request().getParam("limit"), 20, 500);
            boolean staff = Access.principal(ctx).isStaff();
            meters.meter(ctx).compose(m -> commands.recent(m.getString(ID), limit))
                    .onSuccess(l -> Responses.json(ctx, l.stream().map(d -> CommandService.view(d, staff)).toList()))
                    .onFailure(ctx::fail);
        });
    }

    private void apiRelay(RoutingContext ctx) {
        Principal p = Access.staff(ctx);
        JsonNode body = JsonBodies.object(ctx);
        RelayState relay = relay(JsonBodies.text(body, "relay"));
        String reason = reason(body.get("reason") == null || !body.get("reason").isTextual() ? null : body.get("reason").asText());
        Duration validity = queueValidity(body.get("validForHours"), body.get("validForMinutes"));
        String override = overrideReason(body.get("override"));
        send(ctx, p, relay, reason, override, validity).onSuccess(sent -> {
            ctx.response().setStatusCode(202).putHeader("Location", "/api/v1/commands/" + sent.commandId());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("commandId", sent.commandId());
            out.put("state", sent.state().name());
            out.put("expiresAt", sent.expiresAt().toString());
            Responses.json(ctx, 202, out);
        }).onFailure(ctx::fail);
    }

    /**
     * How long a command for an offline meter is kept: {@code validForHours} (1–168) or {@code validForMinutes}
     * (1–10080), not both; neither: {@link CommandService#DEFAULT_QUEUE_VALIDITY}. Whole numbers only.
     */
    static Duration queueValidity(JsonNode hours, JsonNode minutes) {
        boolean h = hours != null && !hours.isNull();
        boolean m = minutes != null && !minutes.isNull();
        if (h && m) {
            throw HttpError.badRequest("give validForHours or validForMinutes, not both");
        }
        if (h) {
            return Duration.ofHours(whole(hours, "validForHours", 1, CommandService.MAX_QUEUE_VALIDITY.toHours()));
        }
        if (m) {
            return Duration.ofMinutes(whole(minutes, "validForMinutes", 1, CommandService.MAX_QUEUE_VALIDITY.toMinutes()));
        }
        return CommandService.DEFAULT_QUEUE_VALIDITY;
    }

    private static long whole(JsonNode n, String field, long min, long max) {
        if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < min || n.asLong() > max) {
            throw HttpError.badRequest(field + " must be a whole number from " + min + " to " + max);
        }
        return n.asLong();
    }

    /**
     * An interlock override {@code {"reason": "..."}} (absent or null: none); its reason is checked like every audited
     * reason. 400 for anything else.
     */
    static String overrideReason(JsonNode override) {
        if (override == null || override.isNull()) {
            return null;
        }
        JsonNode reason = override.isObject() ? override.get("reason") : null;
        if (reason == null || !reason.isTextual() || override.size() != 1) {
            throw HttpError.badRequest("override must be {\"reason\": \"...\"}: why the interlock is set aside (kept in the audit trail)");
        }
        try {
            return Params.reason(reason.asText());
        } catch (HttpError e) {
            throw HttpError.badRequest("override reason is required, 3 to " + Params.MAX_REASON + " characters on one line: it goes into the audit trail");
        }
    }

    /** The form's optional {@code validForHours} (empty: the default). */
    private static Duration formValidity(String hours) {
        if (hours == null || hours.isBlank()) {
            return CommandService.DEFAULT_QUEUE_VALIDITY;
        }
        try {
            return queueValidity(com.fasterxml.jackson.databind.node.LongNode.valueOf(Long.parseLong(hours.strip())), null);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("validForHours must be a whole number from 1 to " + CommandService.MAX_QUEUE_VALIDITY.toHours());
        }
    }

    private void formRelay(RoutingContext ctx) {
        Principal p = Access.staff(ctx);
        RelayState relay = relay(ctx.request().getFormAttribute("relay"));
        String reason = reason(ctx.request().getFormAttribute("reason"));
        Duration validity = formValidity(ctx.request().getFormAttribute("validForHours"));
        String rawOverride = ctx.request().getFormAttribute("overrideReason");
        String override = rawOverride == null || rawOverride.isBlank() ? null
                : overrideReason(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("reason", rawOverride));
        send(ctx, p, relay, reason, override, validity).onSuccess(sent -> Responses.redirect(ctx, "/meters/" + ctx.pathParam("id") + "#relay"))
                .onFailure(ctx::fail);
    }

    private Future<CommandService.Sent> send(RoutingContext ctx, Principal p, RelayState relay, String reason, String override,
            Duration validity) {
        return meters.meter(ctx)
                .compose(m -> MeterDocs.isDecommissioned(m)
                        ? Future.failedFuture(new HttpError(409, "meter " + m.getString(ID) + " was decommissioned: it takes no commands"))
                        : operations.request(m, relay, reason, override, p.username(), validity))
                .onSuccess(sent -> LOG.info("Relay command {}: meter {} {} requested by {} ({}): {}", sent.commandId(),
                        LogSafe.of(ctx.pathParam("id")), relay, LogSafe.of(p.username()), LogSafe.of(reason), sent.state()));
    }

    private void one(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        String id = ctx.pathParam("commandId");
        if (id == null || !id.matches("[0-9a-f-]{36}")) {
            throw HttpError.notFound("no command " + id);
        }
        commands.find(id).compose(d -> {
            if (d == null) {
                return Future.failedFuture(HttpError.notFound("no command " + id));
            }
            if (p.isStaff()) {
                return Future.succeededFuture(d);
            }
            // The owner of the meter may follow it; anyone else learns nothing.
            return meters.visible(p, d.getString(METER_ID)).map(ok -> {
                if (!ok) {
                    throw HttpError.notFound("no command " + id);
                }
                return d;
            });
        }).onSuccess(d -> Responses.json(ctx, CommandService.view(d, p.isStaff()))).onFailure(ctx::fail);
    }

    /** {@code ON} or {@code OFF}, exactly; 400 otherwise. */
    static RelayState relay(String raw) {
        if ("ON".equals(raw)) {
            return RelayState.ON;
        }
        if ("OFF".equals(raw)) {
            return RelayState.OFF;
        }
        throw HttpError.badRequest("relay must be ON or OFF");
    }

    private static String reason(String raw) {
        return Params.reason(raw);
    }
}
