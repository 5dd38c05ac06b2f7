package dev.ims.portal.circuit;

import static dev.ims.model.storage.StoreSchema.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.circuit.Schedule;
import dev.ims.model.log.LogSafe;
import dev.ims.model.reading.RelayState;
import dev.ims.portal.account.Access;
import dev.ims.portal.web.JsonBodies;
import dev.ims.portal.account.Principal;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner's circuit controls (contract "added with circuits"):
 * <ul>
 *   <li>{@code POST /api/v1/meters/{id}/circuits/{c}/relay} {@code {"relay":"ON"|"OFF","reason"?}} → 202 with the command;
 *   <li>{@code PUT /api/v1/meters/{id}/circuits/{c}/schedule} {@code {"preset","hours"?,"windows"?,"fromAdvice"?}} → 202 (with
 *       {@code fromAdvice} true the advice's estimated saving is kept with it), and
 *       {@code DELETE} → 202 (removes it); {@code GET} → the schedule kept, its command's state, followed yesterday;
 *   <li>the same as forms for the dashboard ({@code POST /meters/{id}/circuits/{c}/relay}, {@code .../schedule}), working
 *       without script, redirecting back to the meter page.
 * </ul>
 * Only the meter's owner (a consumer) may: staff are refused 403 (they see the commands in the audit trail, and switch the
 * supply relay through its own route); anyone else's meter is 404. A critical circuit, one without a relay or one the
 * meter does not describe is 409. The supply relay is never reached from here.
 */
public final class CircuitControlRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitControlRoutes.class);

    private final CircuitControlService circuits;
    private final MeterRoutes meters;

    public CircuitControlRoutes(CircuitControlService circuits, MeterRoutes meters) {
        this.circuits = circuits;
        this.meters = meters;
    }

    public void register(Router router) {
        router.post("/api/v1/meters/:id/circuits/:circuit/relay").handler(this::apiRelay);
        router.put("/api/v1/meters/:id/circuits/:circuit/schedule").handler(this::apiSetSchedule);
        router.delete("/api/v1/meters/:id/circuits/:circuit/schedule").handler(this::apiRemoveSchedule);
        router.get("/api/v1/meters/:id/circuits/:circuit/schedule").handler(this::apiGetSchedule);
        router.post("/meters/:id/circuits/:circuit/relay").handler(this::formRelay);
        router.post("/meters/:id/circuits/:circuit/schedule").handler(this::formSchedule);
    }

    /** The meter of the path when the principal owns it; staff 403, anyone else 404. */
    private Future<Document> owned(RoutingContext ctx, Principal p) {
        if (p.isStaff()) {
            throw new HttpError(403, "circuits are switched and scheduled by the meter's owner only");
        }
        return meters.meter(ctx).map(m -> {
            if (!p.username().equals(m.getString(OWNER))) {
                throw HttpError.notFound("no meter " + ctx.pathParam("id") + " on this account");
            }
            return m;
        });
    }

    private void apiRelay(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        JsonNode body = JsonBodies.object(ctx);
        RelayState relay = relay(JsonBodies.text(body, "relay"));
        String reason = reason(body.get("reason") == null || !body.get("reason").isTextual() ? null : body.get("reason").asText(), relay);
        switchCircuit(ctx, p, relay, reason).onSuccess(out -> {
            ctx.response().putHeader("Location", "/api/v1/commands/" + out.get("commandId"));
            Responses.json(ctx, 202, out);
        }).onFailure(ctx::fail);
    }

    private void formRelay(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        RelayState relay = relay(ctx.request().getFormAttribute("relay"));
        String reason = reason(ctx.request().getFormAttribute("reason"), relay);
        switchCircuit(ctx, p, relay, reason).onSuccess(out -> Responses.redirect(ctx, back(ctx))).onFailure(ctx::fail);
    }

    private Future<Map<String, Object>> switchCircuit(RoutingContext ctx, Principal p, RelayState relay, String reason) {
        String circuit = ctx.pathParam("circuit");
        return owned(ctx, p).compose(m -> circuits.switchCircuit(m, circuit, relay, reason, p.username())).map(sent -> {
            LOG.info("Circuit command {}: meter {} circuit {} {} requested by {}: {}", sent.commandId(), LogSafe.of(ctx.pathParam("id")),
                    LogSafe.of(circuit), relay, LogSafe.of(p.username()), sent.state());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("commandId", sent.commandId());
            out.put("circuit", circuit);
            out.put("relay", relay.name());
            out.put("state", sent.state().name());
            out.put("expiresAt", sent.expiresAt().toString());
            return out;
        });
    }

    private void apiSetSchedule(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        JsonNode body = JsonBodies.object(ctx);
        JsonNode fromAdvice = body.get("fromAdvice");
        if (fromAdvice != null && !fromAdvice.isNull() && !fromAdvice.isBoolean()) {
            throw HttpError.badRequest("fromAdvice must be true or false");
        }
        CircuitControlService.ScheduleRequest request = request(JsonBodies.text(body, "preset"), hours(body.get("hours")), windows(body.get("windows")),
                fromAdvice != null && fromAdvice.booleanValue());
        setSchedule(ctx, p, request).onSuccess(out -> {
            ctx.response().putHeader("Location", "/api/v1/commands/" + out.get("commandId"));
            Responses.json(ctx, 202, out);
        }).onFailure(ctx::fail);
    }

    private void apiRemoveSchedule(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        String circuit = ctx.pathParam("circuit");
        owned(ctx, p).compose(m -> circuits.removeSchedule(m, circuit, p.username())).onSuccess(out -> {
            LOG.info("Schedule command {}: meter {} circuit {} schedule removed by {}", out.get("commandId"), LogSafe.of(ctx.pathParam("id")),
                    LogSafe.of(circuit), LogSafe.of(p.username()));
            Responses.json(ctx, 202, out);
        }).onFailure(ctx::fail);
    }

    private void apiGetSchedule(RoutingContext ctx) {
        String circuit = ctx.pathParam("circuit");
        meters.meter(ctx).compose(m -> circuits.schedules(m.getString(ID))).onSuccess(all -> {
            Map<String, Object> mine = all.stream().filter(v -> circuit.equals(v.get("circuit"))).findFirst().orElse(null);
            if (mine == null) {
                ctx.fail(HttpError.notFound("no schedule was set for circuit " + circuit));
                return;
            }
            Responses.json(ctx, mine);
        }).onFailure(ctx::fail);
    }

    private void formSchedule(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        String circuit = ctx.pathParam("circuit");
        if ("remove".equals(ctx.request().getFormAttribute("action"))) {
            owned(ctx, p).compose(m -> circuits.removeSchedule(m, circuit, p.username()))
                    .onSuccess(out -> Responses.redirect(ctx, back(ctx))).onFailure(ctx::fail);
            return;
        }
        String rawHours = ctx.request().getFormAttribute("hours");
        Integer hours = null;
        if (rawHours != null && !rawHours.isBlank()) {
            try {
                hours = Integer.parseInt(rawHours.strip());
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("hours must be a whole number from 1 to 24");
            }
        }
        String preset = ctx.request().getFormAttribute("preset");
        String rawWindows = ctx.request().getFormAttribute("windows");
        List<Schedule.Window> windows = "CUSTOM".equals(preset) ? formWindows(rawWindows) : null;
        if (!"CHEAPEST_HOURS".equals(preset) && !"CUSTOM".equals(preset)) {
            hours = null; // the form sends its hours field with every preset; only these two use it
        }
        boolean fromAdvice = "true".equals(ctx.request().getFormAttribute("fromAdvice"));
        setSchedule(ctx, p, request(preset, hours, windows, fromAdvice)).onSuccess(out -> Responses.redirect(ctx, back(ctx))).onFailure(ctx::fail);
    }

    private Future<Map<String, Object>> setSchedule(RoutingContext ctx, Principal p, CircuitControlService.ScheduleRequest request) {
        String circuit = ctx.pathParam("circuit");
        return owned(ctx, p).compose(m -> circuits.setSchedule(m, circuit, request, p.username())).onSuccess(out -> LOG.info(
                "Schedule command {}: meter {} circuit {} {} requested by {}", out.get("commandId"), LogSafe.of(ctx.pathParam("id")),
                LogSafe.of(circuit), request.preset(), LogSafe.of(p.username())));
    }

    private static String back(RoutingContext ctx) {
        return "/meters/" + Params.meterId(ctx.pathParam("id")) + "#circuits";
    }

    static CircuitControlService.ScheduleRequest request(String preset, Integer hours, List<Schedule.Window> windows, boolean fromAdvice) {
        SchedulePresets.Preset p;
        try {
            p = SchedulePresets.Preset.valueOf(preset == null ? "" : preset);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("preset must be CHEAPEST_BAND, AVOID_PEAK, CHEAPEST_HOURS or CUSTOM");
        }
        return new CircuitControlService.ScheduleRequest(p, hours, windows, fromAdvice);
    }

    private static Integer hours(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > 24) {
            throw HttpError.badRequest("hours must be a whole number from 1 to 24");
        }
        return n.intValue();
    }

    private static List<Schedule.Window> windows(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray() || n.size() > Schedule.MAX_WINDOWS) {
            throw HttpError.badRequest("windows must be a list of at most " + Schedule.MAX_WINDOWS + " {\"from\":\"HH:MM\",\"to\":\"HH:MM\"}");
        }
        List<Schedule.Window> out = new ArrayList<>();
        for (JsonNode w : n) {
            JsonNode from = w.get("from");
            JsonNode to = w.get("to");
            try {
                out.add(Schedule.Window.of(from != null && from.isTextual() ? from.textValue() : null, to != null && to.isTextual() ? to.textValue() : null));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("windows[" + out.size() + "]: " + e.getMessage());
            }
        }
        return out;
    }

    /** The form's windows: {@code "22:00-06:00, 13:00-15:00"}. */
    static List<Schedule.Window> formWindows(String raw) {
        if (raw == null || raw.isBlank()) {
            throw HttpError.badRequest("give the windows as HH:MM-HH:MM, separated by commas");
        }
        List<Schedule.Window> out = new ArrayList<>();
        for (String part : raw.split(",")) {
            String[] ends = part.strip().split("-");
            if (ends.length != 2 || out.size() >= Schedule.MAX_WINDOWS) {
                throw HttpError.badRequest("give at most " + Schedule.MAX_WINDOWS + " windows as HH:MM-HH:MM, separated by commas");
            }
            try {
                out.add(Schedule.Window.of(ends[0].strip(), ends[1].strip()));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest(e.getMessage());
            }
        }
        return out;
    }

    private static RelayState relay(String raw) {
        if ("ON".equals(raw)) {
            return RelayState.ON;
        }
        if ("OFF".equals(raw)) {
            return RelayState.OFF;
        }
        throw HttpError.badRequest("relay must be ON or OFF");
    }

    /** The owner's reason, or a default: a consumer switching their own appliance need not explain. */
    private static String reason(String raw, RelayState relay) {
        return raw == null || raw.isBlank() ? "switched " + relay + " by the owner" : Params.reason(raw);
    }
}
