package dev.ims.portal.circuit;

import static dev.ims.model.storage.StoreSchema.ID;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.LocalDate;
import java.util.Map;
import java.time.ZoneId;

/**
 * The read side of circuits: {@code GET /api/v1/meters/{id}/circuits} (the overview) and
 * {@code GET /api/v1/meters/{id}/circuits/{c}/usage?period=hour|day&from=&to=} (one circuit's kWh and cost per hour or
 * day). Who may see the meter may see its circuits (a consumer their own, staff all).
 */
public final class CircuitRoutes {

    /** The longest hourly range, in days, and the longest daily one. */
    static final int MAX_HOUR_DAYS = 31;
    static final int MAX_DAY_DAYS = 366;

    private final CircuitService circuits;
    private final MeterRoutes meters;
    private final ZoneId zone;
    private final java.util.function.Supplier<LocalDate> today;

    private final CircuitControlService control;

    /** @param control the schedules kept for the circuits (shown in the overview), or null */
    public CircuitRoutes(CircuitService circuits, CircuitControlService control, MeterRoutes meters, ZoneId zone,
            java.util.function.Supplier<LocalDate> today) {
        this.control = control;
        this.circuits = circuits;
        this.meters = meters;
        this.zone = zone;
        this.today = today;
    }

    public void register(Router router) {
        router.get("/api/v1/meters/:id/circuits").handler(ctx -> meters.meter(ctx)
                .compose(m -> control == null ? circuits.overview(m) : circuits.overview(m).compose(o -> control.schedules(m.getString("_id"))
                        .map(list -> {
                            Map<String, Object> byCircuit = new java.util.HashMap<>();
                            list.forEach(v -> byCircuit.put((String) v.get("circuit"), v));
                            return o.withSchedules(byCircuit);
                        })))
                .onSuccess(body -> Responses.json(ctx, body)).onFailure(ctx::fail));
        router.get("/api/v1/meters/:id/circuits/:circuit/usage").handler(this::usage);
    }

    private void usage(RoutingContext ctx) {
        String circuit = ctx.pathParam("circuit");
        if (!CircuitInfo.isValidId(circuit)) {
            throw HttpError.badRequest("circuit must match " + CircuitInfo.ID.pattern());
        }
        String period = ctx.request().getParam("period", "day");
        if (!period.equals("hour") && !period.equals("day")) {
            throw HttpError.badRequest("period must be hour or day");
        }
        boolean byHour = period.equals("hour");
        LocalDate from = Params.day("from", ctx.request().getParam("from"), zone);
        LocalDate to = Params.day("to", ctx.request().getParam("to"), zone);
        LocalDate last = to != null ? to : today.get();
        LocalDate first = from != null ? from : byHour ? last : last.minusDays(29);
        if (first.isAfter(last)) {
            throw HttpError.badRequest("from must not be after to");
        }
        int max = byHour ? MAX_HOUR_DAYS : MAX_DAY_DAYS;
        if (first.plusDays(max).isBefore(last.plusDays(1))) {
            throw HttpError.badRequest("a" + (byHour ? "n hourly" : " daily") + " range covers at most " + max + " days");
        }
        meters.meter(ctx).compose(m -> {
            if (CircuitService.descriptions(m).stream().noneMatch(d -> circuit.equals(d.getString(dev.ims.model.storage.StoreSchema.CIRCUIT_ID)))) {
                throw HttpError.notFound("meter " + m.getString(ID) + " has no circuit " + circuit);
            }
            return circuits.usage(m.getString(ID), circuit, first, last, byHour);
        }).onSuccess(body -> Responses.json(ctx, body)).onFailure(ctx::fail);
    }
}
