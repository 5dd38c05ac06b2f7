package dev.ims.portal.meter;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.usage.UsageService;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import dev.ims.portal.web.Pages;
import dev.ims.portal.account.Access;
import dev.ims.portal.account.Principal;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;

/** Meters, readings, usage, gaps and rejected payloads: the JSON API and the consumer pages. */
public final class MeterRoutes {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final MongoDatabase db;
    private final UsageService usage;
    private final Pages pages;
    private final ZoneId zone;

    public MeterRoutes(MongoDatabase db, UsageService usage, Pages pages, ZoneId zone) {
        this.db = db;
        this.usage = usage;
        this.pages = pages;
        this.zone = zone;
    }

    public void register(Router router) {
        router.get("/api/v1/meters").handler(ctx -> reply(ctx, meters(ctx).map(l -> l.stream().map(MeterRoutes::meterView).toList())));
        router.get("/api/v1/meters/:id").handler(ctx -> reply(ctx, meter(ctx).map(MeterRoutes::meterView)));
        router.get("/api/v1/meters/:id/readings").handler(this::readings);
        router.get("/api/v1/meters/:id/usage").handler(this::usage);
        router.get("/api/v1/meters/:id/gaps").handler(this::gaps);
        router.get("/api/v1/rejected").handler(this::rejected);
        router.get("/").handler(this::indexPage);
        router.get("/meters/:id").handler(this::meterPage);
    }

    /** The meters the principal may see: staff the fleet, a consumer the meters linked to them. */
    private Future<List<Document>> meters(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        Bson filter = p.isStaff() ? new Document() : Filters.eq(OWNER, p.username());
        return Mongo.list(db.getCollection(METERS).find(filter).sort(Sorts.ascending(ID)));
    }

    /**
     * The meter of the path when the principal may see it, else a 404: a consumer cannot even learn
     * whether another account's meter exists.
     */
    public Future<Document> meter(RoutingContext ctx) {
        String id = Params.meterId(ctx.pathParam("id"));
        Principal p = Access.principal(ctx);
        Bson filter = p.isStaff() ? Filters.eq(ID, id) : Filters.and(Filters.eq(ID, id), Filters.eq(OWNER, p.username()));
        return Mongo.first(db.getCollection(METERS).find(filter)).map(d -> {
            if (d == null) {
                throw HttpError.notFound("no meter " + id + " on this account");
            }
            return d;
        });
    }

    /** A meter as the API shows it: {@code meterId}, {@code state}, {@code lastSeen}, {@code latest}, ... */
    static Map<String, Object> meterView(Document d) {
        Map<String, Object> raw = Responses.plain(d);
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("meterId", raw.remove(ID));
        out.put("state", raw.getOrDefault(CONNECTION, "UNKNOWN"));
        raw.remove(CONNECTION);
        raw.remove(CLAIM_VERIFIER);
        out.putAll(raw);
        return out;
    }

    private void readings(RoutingContext ctx) {
        Instant from = Params.instant("from", ctx.request().getParam("from"), zone);
        Instant to = Params.instant("to", ctx.request().getParam("to"), zone);
        int limit = Params.limit(ctx.request().getParam("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        reply(ctx, meter(ctx).compose(m -> {
            List<Bson> filters = new ArrayList<>(List.of(Filters.eq(METER_ID, m.getString(ID))));
            if (from != null) {
                filters.add(Filters.gte(TS, Date.from(from)));
            }
            if (to != null) {
                filters.add(Filters.lt(TS, Date.from(to)));
            }
            return Mongo.list(db.getCollection(READINGS).find(Filters.and(filters))
                    .projection(Projections.excludeId())
                    .sort(Sorts.descending(TS, SEQ)).limit(limit));
        }).map(l -> l.stream().map(Responses::plain).toList()));
    }

    private void usage(RoutingContext ctx) {
        String period = ctx.request().getParam("period", "day");
        LocalDate today = usage.today();
        LocalDate from = Params.day("from", ctx.request().getParam("from"), zone);
        LocalDate to = Params.day("to", ctx.request().getParam("to"), zone);
        if (from != null && to != null && from.isAfter(to)) {
            throw HttpError.badRequest("from must not be after to");
        }
        switch (period) {
            case "day" -> reply(ctx, meter(ctx).compose(m -> usage.daily(m.getString(ID),
                    from != null ? from : (to != null ? to : today).minusDays(29), to != null ? to : today)));
            case "month" -> reply(ctx, meter(ctx).compose(m -> usage.monthly(m.getString(ID),
                    YearMonth.from(from != null ? from : (to != null ? to : today).minusMonths(11)),
                    YearMonth.from(to != null ? to : today))));
            default -> throw HttpError.badRequest("period must be day or month");
        }
    }

    /** Missing {@code seq} ranges, from the first seq a meter produces (0) to the last one stored. */
    private void gaps(RoutingContext ctx) {
        reply(ctx, meter(ctx).compose(m -> Mongo.list(db.getCollection(READINGS)
                        .find(Filters.eq(METER_ID, m.getString(ID)))
                        .projection(Projections.fields(Projections.include(SEQ), Projections.excludeId()))
                        .sort(Sorts.ascending(SEQ))))
                .map(docs -> {
                    List<Map<String, Long>> gaps = new ArrayList<>();
                    long expected = 0;
                    for (Document d : docs) {
                        long seq = ((Number) d.get(SEQ)).longValue();
                        if (seq > expected) {
                            gaps.add(Map.of("fromSeq", expected, "toSeq", seq - 1, "count", seq - expected));
                        }
                        expected = Math.max(expected, seq + 1);
                    }
                    return gaps;
                }));
    }

    private void rejected(RoutingContext ctx) {
        Access.staff(ctx);
        int limit = Params.limit(ctx.request().getParam("limit"), 50, MAX_LIMIT);
        reply(ctx, Mongo.list(db.getCollection(REJECTED).find().sort(Sorts.descending(RECEIVED_AT)).limit(limit))
                .map(l -> l.stream().map(d -> {
                    Map<String, Object> m = Responses.plain(d);
                    m.remove(ID);
                    return m;
                }).toList()));
    }

    private void indexPage(RoutingContext ctx) {
        meters(ctx).onSuccess(list -> {
            Map<String, Object> model = new HashMap<>();
            model.put("meters", list.stream().map(MeterRoutes::meterView).toList());
            pages.render(ctx, "index.ftlh", model);
        }).onFailure(ctx::fail);
    }

    private void meterPage(RoutingContext ctx) {
        LocalDate today = usage.today();
        meter(ctx).compose(m -> {
            String id = m.getString(ID);
            Future<List<UsageService.Entry>> days = usage.daily(id, today.minusDays(29), today);
            Future<List<UsageService.Entry>> months = usage.monthly(id, YearMonth.from(today).minusMonths(11), YearMonth.from(today));
            return Future.all(days, months).map(v -> {
                Map<String, Object> model = new HashMap<>();
                model.put("meter", meterView(m));
                List<UsageService.Entry> d = new ArrayList<>(days.result());
                java.util.Collections.reverse(d);
                List<UsageService.Entry> mo = new ArrayList<>(months.result());
                java.util.Collections.reverse(mo);
                model.put("days", d);
                model.put("months", mo);
                return model;
            });
        }).onSuccess(model -> pages.render(ctx, "meter.ftlh", model)).onFailure(ctx::fail);
    }

    private static void reply(RoutingContext ctx, Future<?> result) {
        result.onSuccess(body -> Responses.json(ctx, body)).onFailure(ctx::fail);
    }
}
