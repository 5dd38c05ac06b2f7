package dev.ims.portal.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.json.Json;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/** Request bodies of the JSON API, validated at the edge: a bad body is a 400 with a reason, never a 500. */
public final class JsonBodies {

    private JsonBodies() {}

    /** The request's body as a JSON object; 400 when it is missing, not JSON or not an object. */
    public static JsonNode object(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
            throw HttpError.badRequest("a JSON body is required");
        }
        try {
            JsonNode n = Json.mapper().readTree(ctx.body().buffer().getBytes());
            if (n == null || !n.isObject()) {
                throw HttpError.badRequest("the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw HttpError.badRequest("the body is not valid JSON");
        }
    }

    /** The string {@code field} of {@code body}; 400 when it is missing or not a string. */
    public static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual()) {
            throw HttpError.badRequest(field + " is required and must be a string");
        }
        return v.asText();
    }
}
