package dev.ims.portal.tariff;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.json.Json;
import dev.ims.portal.account.Access;
import dev.ims.portal.web.HttpError;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.web.Pages;
import dev.ims.portal.web.Responses;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tariff versions: read by anyone signed in ({@code GET /api/v1/tariffs}), written by staff only
 * ({@code PUT /api/v1/tariffs/{validFrom}}, {@code DELETE ...}, and the {@code /staff/tariffs} page).
 */
public final class TariffRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(TariffRoutes.class);

    private final Tariffs tariffs;
    private final Pages pages;

    public TariffRoutes(Tariffs tariffs, Pages pages) {
        this.tariffs = tariffs;
        this.pages = pages;
    }

    public void register(Router router) {
        router.get("/api/v1/tariffs").handler(ctx -> tariffs.book()
                .onSuccess(b -> Responses.json(ctx, readTree(TariffCodec.writeBook(b))))
                .onFailure(ctx::fail));
        router.put("/api/v1/tariffs/:validFrom").handler(this::put);
        router.delete("/api/v1/tariffs/:validFrom").handler(ctx -> {
            Access.staff(ctx);
            tariffs.remove(date(ctx.pathParam("validFrom"))).onSuccess(b -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
        });
        router.get("/staff/tariffs").handler(ctx -> page(ctx, 200, null, null, null));
        router.post("/staff/tariffs").handler(this::form);
    }

    private void put(RoutingContext ctx) {
        String who = Access.staff(ctx).username();
        TariffVersion v = parse(ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
        if (!v.validFrom().toString().equals(ctx.pathParam("validFrom"))) {
            throw HttpError.badRequest("validFrom in the body must equal the one in the path");
        }
        tariffs.save(v).onSuccess(b -> {
            LOG.info("Tariff version from {} saved by {}", v.validFrom(), LogSafe.of(who));
            Responses.json(ctx, TariffCodec.writeVersion(v));
        }).onFailure(ctx::fail);
    }

    private void form(RoutingContext ctx) {
        String who = Access.staff(ctx).username();
        String text = ctx.request().getFormAttribute("version");
        TariffVersion v;
        try {
            v = parse(text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8));
        } catch (HttpError e) {
            page(ctx, 400, e.getMessage(), null, text);
            return;
        }
        tariffs.save(v).onSuccess(b -> {
            LOG.info("Tariff version from {} saved by {}", v.validFrom(), LogSafe.of(who));
            page(ctx, 200, null, "Saved the version valid from " + v.validFrom() + ".", null);
        }).onFailure(ctx::fail);
    }

    private void page(RoutingContext ctx, int status, String error, String done, String draft) {
        Access.staff(ctx);
        tariffs.book().onSuccess(b -> {
            Map<String, Object> model = new HashMap<>();
            model.put("versions", b.versions());
            model.put("error", error);
            model.put("done", done);
            TariffVersion last = b.versions().get(b.versions().size() - 1);
            model.put("draft", draft != null ? draft : TariffCodec.writeVersion(last).toPrettyString());
            ctx.response().setStatusCode(status);
            pages.render(ctx, "tariffs.ftlh", model);
        }).onFailure(ctx::fail);
    }

    /** One version from JSON; a 400 naming the field on any mistake. */
    static TariffVersion parse(byte[] json) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw HttpError.badRequest("the tariff version is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw HttpError.badRequest("the tariff version must be a JSON object");
        }
        try {
            return TariffCodec.readVersion(node);
        } catch (TariffException e) {
            throw HttpError.badRequest(e.getMessage());
        }
    }

    private static java.time.LocalDate date(String s) {
        try {
            return java.time.LocalDate.parse(s);
        } catch (java.time.DateTimeException e) {
            throw HttpError.badRequest("validFrom must be a day such as 2026-01-01");
        }
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            return Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
