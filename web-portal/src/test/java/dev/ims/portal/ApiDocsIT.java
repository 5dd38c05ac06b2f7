package dev.ims.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.AccountsIT.Browser;
import dev.ims.portal.apidoc.OpenApiContract;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API document as the portal serves it ({@code GET /api/v1/openapi.json}) and the explorer page ({@code /api-docs})
 * with its Swagger UI files: for signed-in users only, from this server only, under the portal's CSP.
 */
class ApiDocsIT {

    static Browser consumer;

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        consumer = Browser.signUp("apidocs-" + System.nanoTime() % 100_000);
    }

    @Test
    void openApiJson_isTheRepositorysDocument_asOpenApi31Json() throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(AccountsIT.uri("/api/v1/openapi.json"))
                .header("Authorization", "Bearer " + PortalIT.staffToken).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode served = JsonMapper.builder().build().readTree(r.body());
        assertThat(served.path("openapi").asString()).startsWith("3.1.");
        assertThat(served).as("the served JSON is docs/openapi.yaml as built into the jar").isEqualTo(OpenApiContract.portal().document());
        assertThat(served.path("paths").has("/api/v1/meters/{id}/usage")).isTrue();
    }

    @Test
    void openApiJson_withoutASession_is401() throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(AccountsIT.uri("/api/v1/openapi.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("\"error\"");
    }

    @Test
    void explorer_forASignedInUser_loadsSwaggerUiFromThisServer_withoutInlineScript() throws Exception {
        HttpResponse<String> page = consumer.get("/api-docs");
        assertThat(page.statusCode()).isEqualTo(200);
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        String html = page.body();
        assertThat(html).contains("id=\"swagger-ui\"").contains("data-document=\"/api/v1/openapi.json\"").contains("href=\"/api-docs\"");
        List<String> scripts = Pattern.compile("<script([^>]*)>").matcher(html).results().map(m -> m.group(1)).toList();
        assertThat(scripts).as("every script is a file of this server (the CSP forbids inline ones)").isNotEmpty()
                .allMatch(a -> a.matches(" src=\"/[^\"]+\""));
        Matcher assets = Pattern.compile("(?:src|href)=\"(/(?:api-docs/ui|static)/[^\"]+)\"").matcher(html);
        int loaded = 0;
        while (assets.find()) {
            HttpResponse<String> asset = consumer.get(assets.group(1));
            assertThat(asset.statusCode()).as(assets.group(1)).isEqualTo(200);
            assertThat(asset.body()).as(assets.group(1)).isNotBlank();
            loaded++;
        }
        assertThat(loaded).as("style.css, swagger-ui.css, swagger-ui-bundle.js and the initializer").isGreaterThanOrEqualTo(4);
        assertThat(consumer.get("/api-docs/ui/swagger-ui-bundle.js").body()).contains("SwaggerUIBundle");
        String csrf = Pattern.compile("data-csrf=\"([^\"]+)\"").matcher(html).results().map(m -> m.group(1)).findFirst().orElseThrow();
        assertThat(csrf).as("the page hands the session's CSRF token to the initializer for write calls").hasSizeGreaterThan(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api-docs", "/api-docs/ui/swagger-ui-bundle.js", "/api-docs/ui/swagger-ui.css"})
    void explorer_anonymously_sendsToTheLogIn(String path) throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(AccountsIT.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("/login"));
        assertThat(r.body()).doesNotContain("SwaggerUIBundle");
    }
}
