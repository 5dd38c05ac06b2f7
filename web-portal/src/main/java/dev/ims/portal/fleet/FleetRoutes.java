package dev.ims.portal.fleet;

import dev.ims.portal.account.Access;
import dev.ims.portal.chart.Sparkline;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Staff only: {@code GET /api/v1/fleet} (a page of the fleet: search, states, sort), {@code GET /api/v1/fleet/load} (the
 * fleet's load curve), {@code GET /api/v1/fleet/events} (live updates, {@link FleetEvents}), and the model of the staff's
 * home page ({@link #staffHome}), all answered from the {@link FleetIndex} in memory.
 */
public final class FleetRoutes {

    public static final int MAX_LOAD_HOURS = 24;
    private static final DateTimeFormatter SEEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private final FleetIndex index;
    private final FleetLoad load;
    private final FleetEvents events;
    private final ZoneId zone;
    private final Clock clock;

    public FleetRoutes(FleetIndex index, FleetLoad load, FleetEvents events, ZoneId zone, Clock clock) {
        this.index = index;
        this.load = load;
        this.events = events;
        this.zone = zone;
        this.clock = clock;
    }

    public void register(Router router) {
        router.get("/api/v1/fleet").handler(this::fleet);
        router.get("/api/v1/fleet/load").handler(this::loadCurve);
        router.get("/api/v1/fleet/events").handler(events::handle);
    }

    /** A meter's own paths ({@code /meters/<id>...}, {@code /api/v1/meters/<id>...}): group 1 is the meter ID. */
    private static final java.util.regex.Pattern METER_PATH = java.util.regex.Pattern.compile("^/(?:api/v1/)?meters/([A-Za-z0-9_-]{3,64})(?:/.*)?$");

    /**
     * The portal's own writers' hook, in front of their routes: after a write to a meter's path (a claim, a decommissioning,
     * a flag, a command: any method but GET and HEAD) answered below 400, or a claim through the account form
     * ({@code POST /account/meters}, its {@code meterId} field), the index reads that meter again ({@link FleetIndex#touch}),
     * so staff see it at once rather than at the next full resync.
     */
    public static io.vertx.core.Handler<RoutingContext> touchAfterWrites(FleetIndex index) {
        return ctx -> {
            io.vertx.core.http.HttpMethod m = ctx.request().method();
            if (m != io.vertx.core.http.HttpMethod.GET && m != io.vertx.core.http.HttpMethod.HEAD) {
                String path = ctx.request().path();
                java.util.regex.Matcher meter = path == null ? null : METER_PATH.matcher(path);
                String id = meter != null && meter.matches() ? meter.group(1)
                        : "/account/meters".equals(path) ? ctx.request().getFormAttribute("meterId") : null;
                if (id != null && !id.isBlank()) {
                    String meterId = id.strip();
                    ctx.addEndHandler(v -> {
                        if (ctx.response().getStatusCode() < 400) {
                            index.touch(meterId);
                        }
                    });
                }
            }
            ctx.next();
        };
    }

    private static FleetQuery query(RoutingContext ctx) {
        return FleetQuery.parse(ctx.request()::getParam, ctx::queryParam);
    }

    private void fleet(RoutingContext ctx) {
        Access.staff(ctx);
        FleetQuery q = query(ctx);
        index.current().onSuccess(v -> Responses.json(ctx, index.query(q).json(clock.instant()))).onFailure(ctx::fail);
    }

    private void loadCurve(RoutingContext ctx) {
        Access.staff(ctx);
        int hours = hours(ctx.request().getParam("hours"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("hours", hours);
        body.put("intervalMinutes", FleetLoad.INTERVAL.toMinutes());
        body.put("points", load.curve(Duration.ofHours(hours)).stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("start", p.start().toString());
            m.put("powerW", round(p.powerW()));
            m.put("meters", round(p.meters()));
            m.put("samples", p.samples());
            return m;
        }).toList());
        Responses.json(ctx, body);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static int hours(String raw) {
        if (raw == null || raw.isBlank()) {
            return MAX_LOAD_HOURS;
        }
        try {
            int h = Integer.parseInt(raw.strip());
            if (h >= 1 && h <= MAX_LOAD_HOURS) {
                return h;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw HttpError.badRequest("hours must be a whole number from 1 to " + MAX_LOAD_HOURS);
    }

    /**
     * The staff home page's model: the query of the page's parameters (a bad one is a 400), the page of meters, the counts
     * as filter links, the paging links and the load curve as an SVG.
     */
    public Future<Map<String, Object>> staffHome(RoutingContext ctx) {
        FleetQuery q = query(ctx);
        return index.current().map(v -> {
            Instant now = clock.instant();
            FleetPage page = index.query(q);
            Map<String, Object> m = new HashMap<>();
            m.put("fleetTotal", page.total());
            m.put("fleetMatched", page.matched());
            m.put("fleetPage", page.page());
            m.put("fleetPages", page.pages());
            List<Map<String, Object>> counts = new ArrayList<>();
            page.counts().forEach((state, n) -> counts.add(Map.of("state", state, "n", n,
                    "label", label(state), "selected", q.states().contains(FleetState.of(state)))));
            m.put("fleetCounts", counts);
            m.put("fleetRows", page.items().stream().map(e -> row(e, now)).toList());
            m.put("fleetQ", q.q() == null ? "" : q.q());
            m.put("fleetSort", q.sort().key());
            m.put("fleetOrder", q.descending() ? "desc" : "asc");
            m.put("fleetSize", q.size());
            List<Map<String, Object>> links = new ArrayList<>();
            if (page.page() > 1) {
                links.add(Map.of("rel", "first", "label", "« First", "href", "/?" + q.queryString(1)));
                links.add(Map.of("rel", "prev", "label", "‹ Previous", "href", "/?" + q.queryString(page.page() - 1)));
            }
            if (page.page() < page.pages()) {
                links.add(Map.of("rel", "next", "label", "Next ›", "href", "/?" + q.queryString(page.page() + 1)));
                links.add(Map.of("rel", "last", "label", "Last »", "href", "/?" + q.queryString(page.pages())));
            }
            m.put("fleetLinks", links);
            m.put("fleetLive", events != null);
            List<FleetLoad.Point> points = load.curve(FleetLoad.KEEP);
            Map<Instant, Double> byStart = new HashMap<>();
            points.forEach(p -> byStart.put(p.start(), p.powerW() / 1000));
            List<Double> values = new ArrayList<>();
            for (Instant s : FleetLoad.quarterStarts(now, FleetLoad.KEEP)) {
                values.add(byStart.get(s));
            }
            m.put("fleetLoadSvg", new Sparkline("Fleet load over the last 24 h", "kW", values).svg());
            m.put("fleetLoadNow", points.isEmpty() ? "—" : String.format(Locale.ROOT, "%.1f kW", points.get(points.size() - 1).powerW() / 1000));
            return m;
        });
    }

    private static String label(String state) {
        return switch (state) {
            case "supplyOff" -> "supply off";
            default -> state;
        };
    }

    private Map<String, Object> row(FleetEntry e, Instant now) {
        Map<String, Object> r = new HashMap<>();
        r.put("meterId", e.meterId());
        r.put("owner", e.owner() == null ? "—" : e.owner());
        r.put("state", e.connectionState(now).key());
        r.put("conditions", e.states(now).stream().filter(s -> !s.isConnection()).map(s -> label(s.key())).toList());
        r.put("fault", e.fault() == null ? "" : e.fault());
        r.put("lastSeen", e.lastSeen() == null ? "—" : SEEN.format(e.lastSeen().atZone(zone)));
        r.put("relay", e.relay() == null ? "—" : e.relay());
        r.put("powerW", e.powerW() == null ? "—" : String.format(Locale.ROOT, "%.1f", e.powerW()));
        r.put("energyKwh", e.energyKwh() == null ? "—" : String.format(Locale.ROOT, "%.3f", e.energyKwh()));
        r.put("doNotDisconnect", e.doNotDisconnect());
        return r;
    }
}
