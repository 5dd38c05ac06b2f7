package dev.ims.portal.apidoc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ims.portal.account.Access;
import dev.ims.portal.web.Pages;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /api/v1/openapi.json}, {@code GET /api-docs} (the explorer page) and {@code /api-docs/ui/*} (Swagger UI's
 * files from the {@code org.webjars:swagger-ui} jar). Register after the session check: all three are for signed-in
 * users only (the document answers 401 without a session, the page sends to the log-in).
 *
 * <p>The explorer runs under the portal's Content-Security-Policy unchanged: its scripts are files from this server
 * ({@code /api-docs/ui/swagger-ui-bundle.js} and the initializer {@code /static/api-docs.js}), no inline script.
 */
public final class ApiDocRoutes {

    /** Where the build puts {@code docs/openapi.yaml} on the classpath. */
    public static final String DOCUMENT_RESOURCE = "openapi/openapi.yaml";
    static final String WEBJAR_PROPERTIES = "META-INF/maven/org.webjars/swagger-ui/pom.properties";

    private final Buffer json;
    private final String uiRoot;
    private final Pages pages;

    private ApiDocRoutes(Buffer json, String uiRoot, Pages pages) {
        this.json = json;
        this.uiRoot = uiRoot;
        this.pages = pages;
    }

    /**
     * Reads the document (YAML, converted to JSON once here) and finds the Swagger UI webjar.
     *
     * @throws IllegalStateException when either is missing from the classpath or the document is not a JSON object
     */
    public static ApiDocRoutes load(Pages pages) {
        ClassLoader loader = ApiDocRoutes.class.getClassLoader();
        JsonNode doc;
        try (InputStream in = loader.getResourceAsStream(DOCUMENT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT_RESOURCE + " is not on the classpath: the build copies it from docs/openapi.yaml");
            }
            doc = new YAMLMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(DOCUMENT_RESOURCE + " cannot be read", e);
        }
        if (doc == null || !doc.isObject() || !doc.path("openapi").isTextual()) {
            throw new IllegalStateException(DOCUMENT_RESOURCE + " is not an OpenAPI document");
        }
        Properties webjar = new Properties();
        try (InputStream in = loader.getResourceAsStream(WEBJAR_PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException("the org.webjars:swagger-ui jar is not on the classpath");
            }
            webjar.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(WEBJAR_PROPERTIES + " cannot be read", e);
        }
        try {
            byte[] bytes = new ObjectMapper().writeValueAsBytes(doc);
            return new ApiDocRoutes(Buffer.buffer(bytes), "META-INF/resources/webjars/swagger-ui/" + webjar.getProperty("version"), pages);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(Router router) {
        router.get("/api/v1/openapi.json").handler(ctx -> {
            Access.principal(ctx);
            ctx.response().putHeader("Content-Type", "application/json; charset=utf-8").end(json);
        });
        router.get("/api-docs").handler(ctx -> {
            Access.principal(ctx);
            pages.render(ctx, "api-docs.ftlh", Map.of("documentUrl", "/api/v1/openapi.json"));
        });
        router.route("/api-docs/ui/*").handler(StaticHandler.create(uiRoot));
    }
}
