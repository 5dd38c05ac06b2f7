package dev.ims.portal.web;

import dev.ims.model.log.LogSafe;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ims.model.json.Json;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writing JSON and HTML answers, and the one failure handler that renders every error. */
public final class Responses {

    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

    /** Set on the routing context once the request's body has been read and parsed. */
    public static final String BODY_READ = "ims.bodyRead";

    private Responses() {}

    public static void json(RoutingContext ctx, int status, Object body) {
        String text;
        try {
            text = Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            ctx.fail(e);
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(text);
    }

    public static void json(RoutingContext ctx, Object body) {
        json(ctx, 200, body);
    }

    public static void html(RoutingContext ctx, String body) {
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(body);
    }

    /** 303 See Other to a local path: after a form post, the browser loads the target with GET. */
    public static void redirect(RoutingContext ctx, String location) {
        ctx.response().setStatusCode(303).putHeader("Location", location).end();
    }

    /** A stored document as plain JSON values: dates as ISO-8601 strings, ObjectIds as hex. */
    public static Map<String, Object> plain(Document d) {
        Map<String, Object> out = new LinkedHashMap<>();
        d.forEach((k, v) -> out.put(k, plainValue(v)));
        return out;
    }

    /** One stored value as a plain JSON value: dates as ISO-8601 strings, ObjectIds as hex, documents and lists in depth. */
    public static Object plainValue(Object v) {
        if (v instanceof Date date) {
            return date.toInstant().toString();
        }
        if (v instanceof ObjectId id) {
            return id.toHexString();
        }
        if (v instanceof Document doc) {
            return plain(doc);
        }
        if (v instanceof List<?> list) {
            return list.stream().map(Responses::plainValue).toList();
        }
        return v;
    }

    /**
     * Renders every failure: {@link HttpError} with its status, anything else as 500 with a generic
     * message (logged here, never shown). API paths answer JSON, pages a small HTML page.
     */
    public static void failure(RoutingContext ctx) {
        Throwable t = ctx.failure();
        int status;
        String message;
        java.util.Map<String, Object> details = Map.of();
        if (t instanceof HttpError e) {
            details = e.details();
            status = e.status();
            message = e.getMessage();
            if (e.retryAfter() != null && !ctx.response().headWritten()) {
                ctx.response().putHeader("Retry-After", e.retryAfterSeconds());
            }
        } else if (t == null) {
            status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            message = status == 404 ? "not found" : status == 405 ? "method not allowed" : "request failed";
        } else if (ctx.get(BODY_READ) == null && ctx.request().path() != null) {
            // Failed before the body handler let the request through: Vert.x or Netty could not parse what was
            // sent (a malformed form, multipart body or header). The sender's fault, said plainly.
            status = 400;
            message = "the request could not be read: malformed body or header";
            LOG.debug("{} {} unreadable: {}", ctx.request().method(), LogSafe.of(ctx.request().path()), LogSafe.of(t.toString()));
        } else {
            status = 500;
            message = "internal error";
            LOG.warn("{} {} failed: {}", ctx.request().method(), LogSafe.of(ctx.request().path()), LogSafe.of(t.toString()));
        }
        if (ctx.response().ended()) {
            return;
        }
        error(ctx.response(), ctx.request().path(), status, message, details);
    }

    public static void error(HttpServerResponse response, String path, int status, String message) {
        error(response, path, status, message, Map.of());
    }

    /** An error answer: JSON {@code {"error": message}} on API paths and {@code /health}, a small HTML page elsewhere. */
    /** @param details more fields of the JSON body (pages show the message only) */
    public static void error(HttpServerResponse response, String path, int status, String message, Map<String, Object> details) {
        if (path == null || path.startsWith("/api/") || path.equals("/health")) {
            String text;
            try {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("error", message);
                body.putAll(details);
                text = Json.mapper().writeValueAsString(body);
            } catch (JsonProcessingException e) {
                text = "{\"error\":\"request failed\"}";
            }
            response.setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(text);
        } else {
            response.setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
                    .end("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + status
                            + "</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main><h1>"
                            + status + "</h1><p>" + escape(message) + "</p><p><a href=\"/\">All meters</a></p></main></body></html>");
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
