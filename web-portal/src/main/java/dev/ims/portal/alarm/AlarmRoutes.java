package dev.ims.portal.alarm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.account.Access;
import dev.ims.portal.account.Principal;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.JsonBodies;
import dev.ims.portal.web.Pages;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import dev.ims.store.alarm.AlarmKind;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Staff only (consumers get 403): {@code GET /api/v1/alarms} (filters {@code state=open|acknowledged|cleared|all}, {@code
 * kind}, {@code meterId}, {@code severity}, {@code from}/{@code to} on {@code raisedAt}, {@code limit}), {@code GET
 * /api/v1/alarms/{kind}/{subject}[/{raisedAt}]}, {@code POST .../acknowledge} and {@code .../clear} with {@code
 * {"note"}} (404 unknown, 409 already acknowledged / cleared), and the {@code /staff/alarms} page with the same filters (a
 * GET form) and the acknowledge and clear forms ({@code POST /staff/alarms/acknowledge|clear}, answering 303 back).
 */
public final class AlarmRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(AlarmRoutes.class);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** The longest note staff may add to an acknowledgement or a clearing. */
    static final int MAX_NOTE = 500;

    private final AlarmStore store;
    private final Pages pages;
    private final ZoneId zone;

    public AlarmRoutes(AlarmStore store, Pages pages, ZoneId zone) {
        this.store = store;
        this.pages = pages;
        this.zone = zone;
    }

    public void register(Router router) {
        router.get("/api/v1/alarms").handler(ctx -> {
            Access.staff(ctx);
            reply(ctx, store.list(query(ctx.request().params())).map(l -> l.stream().map(Alarm::view).toList()));
        });
        router.get("/api/v1/alarms/:kind/:subject").handler(ctx -> {
            Access.staff(ctx);
            reply(ctx, store.get(id(ctx)).map(Alarm::view));
        });
        router.get("/api/v1/alarms/:kind/:subject/:raisedAt").handler(ctx -> {
            Access.staff(ctx);
            reply(ctx, store.get(id(ctx)).map(Alarm::view));
        });
        router.post("/api/v1/alarms/:kind/:subject/acknowledge").handler(ctx -> api(ctx, true));
        router.post("/api/v1/alarms/:kind/:subject/clear").handler(ctx -> api(ctx, false));
        router.get("/staff/alarms").handler(this::page);
        router.post("/staff/alarms/acknowledge").handler(ctx -> form(ctx, true));
        router.post("/staff/alarms/clear").handler(ctx -> form(ctx, false));
    }

    private static String id(RoutingContext ctx) {
        String raised = ctx.pathParam("raisedAt");
        return ctx.pathParam("kind") + "/" + ctx.pathParam("subject") + (raised == null ? "" : "/" + raised);
    }

    private void api(RoutingContext ctx, boolean acknowledge) {
        Principal p = Access.staff(ctx);
        JsonNode body = JsonBodies.object(ctx);
        JsonNode n = body.get("note");
        if (n != null && !n.isNull() && !n.isTextual()) {
            throw HttpError.badRequest("note must be a string");
        }
        String note = note(n == null || n.isNull() ? null : n.asText());
        reply(ctx, decide(id(ctx), p, note, acknowledge).map(Alarm::view));
    }

    private void form(RoutingContext ctx, boolean acknowledge) {
        Principal p = Access.staff(ctx);
        String id = ctx.request().getFormAttribute("id");
        String note = note(ctx.request().getFormAttribute("note"));
        String back = ctx.request().getFormAttribute("back");
        decide(id, p, note, acknowledge)
                .onSuccess(a -> Responses.redirect(ctx, "/staff/alarms" + (back != null && back.startsWith("?") && back.length() < 1000
                        && back.chars().noneMatch(Character::isISOControl) ? back : "")))
                .onFailure(ctx::fail);
    }

    private Future<Alarm> decide(String id, Principal p, String note, boolean acknowledge) {
        Future<Alarm> done = acknowledge ? store.acknowledge(id, p.username(), note) : store.clear(id, p.username(), note);
        return done.onSuccess(a -> LOG.info("Alarm {} {} by {}{}", LogSafe.of(id), acknowledge ? "acknowledged" : "cleared", LogSafe.of(p.username()),
                note == null ? "" : " (" + LogSafe.of(note) + ")"));
    }

    /** A note: absent or blank is none; else at most {@value #MAX_NOTE} characters on one line. */
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

    /** The listing's filters from query parameters; a bad one is a 400 naming it. */
    AlarmStore.Query query(MultiMap params) {
        String state = blank(params.get("state"));
        AlarmStore.State s;
        try {
            s = state == null ? AlarmStore.State.OPEN : AlarmStore.State.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("state must be open, acknowledged, cleared or all");
        }
        String kind = blank(params.get("kind"));
        if (kind != null && AlarmKind.of(kind) == null) {
            throw HttpError.badRequest("kind must be one of " + Arrays.toString(AlarmKind.values()));
        }
        String severity = blank(params.get("severity"));
        if (severity != null && Arrays.stream(AlarmKind.Severity.values()).noneMatch(v -> v.wire().equals(severity))) {
            throw HttpError.badRequest("severity must be critical, warning or info");
        }
        String meter = blank(params.get("meterId"));
        java.time.Instant from = Params.instant("from", params.get("from"), zone);
        java.time.Instant to = Params.instant("to", params.get("to"), zone, true);
        if (from != null && to != null && !from.isBefore(to)) {
            throw HttpError.badRequest("from must be before to");
        }
        return new AlarmStore.Query(s, kind, meter == null ? null : Params.meterId(meter), severity, from, to,
                Params.limit(params.get("limit"), DEFAULT_LIMIT, MAX_LIMIT));
    }

    private void page(RoutingContext ctx) {
        Access.staff(ctx);
        MultiMap params = ctx.request().params();
        AlarmStore.Query q = query(params);
        Future.all(store.list(q), store.openCounts()).onSuccess(v -> {
            Map<String, Object> model = new HashMap<>();
            List<Alarm> alarms = v.resultAt(0);
            model.put("alarms", alarms);
            model.put("counts", v.resultAt(1));
            Map<String, String> filters = new LinkedHashMap<>();
            for (String name : List.of("state", "kind", "meterId", "severity", "from", "to", "limit")) {
                filters.put(name, params.get(name) == null ? "" : params.get(name));
            }
            model.put("filters", filters);
            model.put("state", q.state().name().toLowerCase(Locale.ROOT));
            model.put("kinds", Arrays.stream(AlarmKind.values()).map(Enum::name).toList());
            model.put("back", back(filters));
            pages.render(ctx, "alarms.ftlh", model);
        }).onFailure(ctx::fail);
    }

    /** The page's query string, for the forms to come back to the same listing. */
    private static String back(Map<String, String> filters) {
        StringBuilder b = new StringBuilder();
        filters.forEach((k, v) -> {
            if (!v.isEmpty()) {
                b.append(b.length() == 0 ? "?" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return b.toString();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static void reply(RoutingContext ctx, Future<?> result) {
        result.onSuccess(body -> Responses.json(ctx, body)).onFailure(ctx::fail);
    }
}
