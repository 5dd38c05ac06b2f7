package dev.ims.portal.apidoc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** The document's own soundness, and that the contract check refuses what the document does not describe. */
class OpenApiContractTest {

    static final OpenApiContract CONTRACT = OpenApiContract.portal();
    static final String JSON = "application/json; charset=utf-8";

    @Test
    void document_isOpenApi31_withEveryReferenceResolvingAndEveryPathParameterDeclared() {
        JsonNode doc = CONTRACT.document();
        assertThat(doc.path("openapi").asString()).startsWith("3.1.");
        assertThat(doc.path("info").path("title").asString()).isNotBlank();
        List<String> broken = new ArrayList<>();
        refs(doc, doc, broken);
        assertThat(broken).as("$refs that point nowhere").isEmpty();
        Pattern param = Pattern.compile("\\{([^}]+)}");
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            assertThat(path.getKey()).startsWith("/api/v1/");
            Matcher m = param.matcher(path.getKey());
            while (m.find()) {
                String name = m.group(1);
                for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                    if (op.getKey().equals("parameters")) {
                        continue;
                    }
                    List<JsonNode> declared = new ArrayList<>();
                    path.getValue().path("parameters").forEach(p -> declared.add(resolve(doc, p)));
                    op.getValue().path("parameters").forEach(p -> declared.add(resolve(doc, p)));
                    assertThat(declared).as(op.getKey() + " " + path.getKey() + " declares {" + name + "}")
                            .anyMatch(p -> p.path("in").asString().equals("path") && p.path("name").asString().equals(name));
                }
            }
        }
    }

    @Test
    void aDocumentedAnswer_passes() {
        assertThat(CONTRACT.problems("GET", "/api/v1/me", 200, JSON, "{\"username\":\"ann\",\"role\":\"CONSUMER\",\"meters\":[\"m-1\"]}"))
                .isEmpty();
        assertThat(CONTRACT.problems("GET", "/api/v1/meters/m-1", 404, JSON, "{\"error\":\"no meter m-1 on this account\"}")).isEmpty();
        assertThat(CONTRACT.problems("POST", "/api/v1/logout", 204, null, "")).isEmpty();
        assertThat(CONTRACT.problems("GET", "/api/v1/no-such-call", 404, JSON, "{\"error\":\"no such page or endpoint\"}")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a field of the wrong type|GET|/api/v1/me|200|{\"username\":\"ann\",\"role\":\"CONSUMER\",\"meters\":\"m-1\"}|/meters",
        "a required field missing|GET|/api/v1/me|200|{\"username\":\"ann\",\"role\":\"CONSUMER\"}|meters",
        "a field the document does not have|GET|/api/v1/me|200|{\"username\":\"ann\",\"role\":\"CONSUMER\",\"meters\":[],\"admin\":true}|admin",
        "a value outside its enum|GET|/api/v1/me|200|{\"username\":\"ann\",\"role\":\"ROOT\",\"meters\":[]}|/role",
        "an error without the error field|GET|/api/v1/meters/m-1|404|{\"message\":\"no\"}|error",
        "a date-time that is none|GET|/api/v1/meters/m-1/peaks|200|[{\"month\":\"2026-11\",\"kw\":3.2,\"start\":\"yesterday\"}]|/0/start",
        "an undocumented status|GET|/api/v1/me|418|{\"error\":\"teapot\"}|status 418",
        "an undocumented method|PATCH|/api/v1/me|200|{}|has no PATCH",
        "an undocumented path answering other than 404|GET|/api/v1/secrets|200|{}|no such path",
        "an undocumented path's 404 without the error JSON|GET|/api/v1/secrets|404|{\"message\":\"no\"}|error",
    })
    void anAnswerTheDocumentDoesNotDescribe_isReported(String what, String method, String path, int status, String body, String named) {
        assertThat(CONTRACT.problems(method, path, status, JSON, body)).as(what).isNotEmpty().anyMatch(p -> p.contains(named));
    }

    @Test
    void aBodyOfAnotherMediaType_isReported() {
        assertThat(CONTRACT.problems("GET", "/api/v1/me", 200, "text/html", "<html></html>")).singleElement().asString()
                .contains("Content-Type text/html");
    }

    @Test
    void literalSegments_winOverParameters() {
        assertThat(CONTRACT.templateOf("/api/v1/meters/m-1/usage.csv")).contains("/api/v1/meters/{id}/usage.csv");
        assertThat(CONTRACT.templateOf("/api/v1/meters/m-1/usage")).contains("/api/v1/meters/{id}/usage");
        assertThat(CONTRACT.templateOf("/api/v1/meters/m-1/x/y")).isEmpty();
    }

    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        return node.has("$ref") ? doc.at(node.get("$ref").asString().substring(1)) : node;
    }

    private static void refs(JsonNode doc, JsonNode node, List<String> broken) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isString()) {
                String r = ref.asString();
                if (!r.startsWith("#/") || doc.at(r.substring(1)).isMissingNode()) {
                    broken.add(r);
                }
            }
            node.properties().forEach(e -> refs(doc, e.getValue(), broken));
        } else if (node.isArray()) {
            node.forEach(n -> refs(doc, n, broken));
        }
    }
}
