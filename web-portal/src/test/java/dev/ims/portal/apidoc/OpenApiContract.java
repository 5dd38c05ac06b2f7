package dev.ims.portal.apidoc;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The API document ({@code docs/openapi.yaml}, from the classpath where the build copies it) as a checker of answers:
 * an answer of {@code method path} with {@code status} must be one the document lists (path template, method,
 * status), with a documented media type, and a JSON body must validate against that answer's schema (JSON Schema
 * 2020-12 in the OpenAPI 3.1 dialect, formats asserted) by networknt's json-schema-validator.
 *
 * <p>Every response schema of the document is copied under {@code $defs} of one derived document that also holds the
 * original {@code components}, so each is addressed by a plain pointer ({@code #/$defs/r12}) and its
 * {@code #/components/...} references resolve unchanged. Thread-safe once built.
 */
public final class OpenApiContract {

    private static final String DOCUMENT_ID = "https://ims.invalid/openapi.json";
    private static final Pattern PARAMETER = Pattern.compile("\\{[^/{}]+}");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Answer(String mediaType, Schema schema) {}

    private record Operation(String template, Pattern pattern, String method, Map<String, List<Answer>> byStatus) {}

    private final JsonNode document;
    private final List<Operation> operations;
    private final Schema error;

    private OpenApiContract(JsonNode document, List<Operation> operations, Schema error) {
        this.document = document;
        this.operations = operations;
        this.error = error;
    }

    private static final class Holder {
        static final OpenApiContract PORTAL = fromClasspath(ApiDocRoutes.DOCUMENT_RESOURCE);
    }

    /** The portal's document, read once per JVM. */
    public static OpenApiContract portal() {
        return Holder.PORTAL;
    }

    public static OpenApiContract fromClasspath(String resource) {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test classpath");
            }
            return of(YAMLMapper.builder().build().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A checker for {@code document} (an OpenAPI 3.1 document as a tree). */
    public static OpenApiContract of(JsonNode document) {
        ObjectNode derived = JSON.createObjectNode();
        derived.put("$schema", "https://spec.openapis.org/oas/3.1/dialect/base");
        derived.set("components", document.path("components").deepCopy());
        ObjectNode defs = derived.putObject("$defs");
        Map<String, Map<String, List<String>>> pending = new LinkedHashMap<>();
        List<String[]> keys = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String method = op.getKey().toUpperCase(Locale.ROOT);
                if (!List.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS").contains(method)) {
                    continue;
                }
                for (Map.Entry<String, JsonNode> status : op.getValue().path("responses").properties()) {
                    JsonNode response = resolve(document, status.getValue());
                    List<String> media = new ArrayList<>();
                    for (Map.Entry<String, JsonNode> content : response.path("content").properties()) {
                        String key = "r" + keys.size();
                        keys.add(new String[] {path.getKey(), method, status.getKey(), content.getKey(), key});
                        defs.set(key, content.getValue().has("schema") ? content.getValue().get("schema").deepCopy() : JSON.createObjectNode());
                        media.add(key);
                    }
                    pending.computeIfAbsent(path.getKey() + " " + method, k -> new LinkedHashMap<>()).put(status.getKey(), media);
                }
            }
        }
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), b -> b
                .schemas(Map.of(DOCUMENT_ID, JSON.writeValueAsString(derived)))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
        Map<String, String[]> byKey = new LinkedHashMap<>();
        keys.forEach(k -> byKey.put(k[4], k));
        List<Operation> ops = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<String>>> e : pending.entrySet()) {
            String[] pathAndMethod = e.getKey().split(" ");
            Map<String, List<Answer>> byStatus = new LinkedHashMap<>();
            e.getValue().forEach((status, list) -> byStatus.put(status, list.stream()
                    .map(key -> new Answer(byKey.get(key)[3], registry.getSchema(SchemaLocation.of(DOCUMENT_ID + "#/$defs/" + key))))
                    .toList()));
            ops.add(new Operation(pathAndMethod[0], template(pathAndMethod[0]), pathAndMethod[1], byStatus));
        }
        return new OpenApiContract(document, List.copyOf(ops), registry.getSchema(SchemaLocation.of(DOCUMENT_ID + "#/components/schemas/Error")));
    }

    /** A response object, following one local {@code $ref} ({@code #/components/responses/...}). */
    private static JsonNode resolve(JsonNode document, JsonNode node) {
        JsonNode ref = node.get("$ref");
        return ref != null && ref.isString() && ref.stringValue().startsWith("#") ? document.at(ref.stringValue().substring(1)) : node;
    }

    private static Pattern template(String path) {
        StringBuilder regex = new StringBuilder();
        Matcher m = PARAMETER.matcher(path);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(path.substring(last, m.start()))).append("[^/]+");
            last = m.end();
        }
        regex.append(Pattern.quote(path.substring(last)));
        return Pattern.compile(regex.toString());
    }

    /** The document as read. */
    public JsonNode document() {
        return document;
    }

    /** The documented path template {@code path} (a raw request path) falls under, if any. */
    public Optional<String> templateOf(String path) {
        return operations.stream().filter(o -> o.pattern.matcher(path).matches())
                // A literal segment beats a parameter: the template with the fewest parameters wins.
                .min(java.util.Comparator.comparingInt(o -> PARAMETER.matcher(o.template).results().mapToInt(r -> 1).sum()))
                .map(Operation::template);
    }

    /**
     * What is wrong with an answer, in words; empty when the document allows it.
     *
     * @param contentType the answer's {@code Content-Type}, or null
     * @param body the answer's body as text, or null when the caller did not keep it (then only route, status and
     *     media type are checked)
     */
    public List<String> problems(String method, String path, int status, String contentType, String body) {
        String what = method + " " + path + " → " + status;
        Optional<String> template = templateOf(path);
        if (template.isEmpty()) {
            // The document's rule for paths it does not describe: 404 with the error JSON; anything else is drift.
            if (status != 404) {
                return List.of(what + ": no such path in docs/openapi.yaml (an undescribed path may only answer 404)");
            }
            return body == null ? List.of() : validate(what, body, error);
        }
        Operation op = operations.stream().filter(o -> o.template.equals(template.get()) && o.method.equals(method)).findFirst().orElse(null);
        if (op == null) {
            return List.of(what + ": " + template.get() + " has no " + method + " in docs/openapi.yaml");
        }
        List<Answer> answers = op.byStatus.get(Integer.toString(status));
        if (answers == null) {
            return List.of(what + ": status " + status + " is not documented for " + method + " " + op.template + " (documented: "
                    + op.byStatus.keySet() + ")");
        }
        if (answers.isEmpty()) {
            return body == null || body.isEmpty() ? List.of() : List.of(what + ": documented without a body, but one came: " + abbreviate(body));
        }
        String media = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        Answer answer = answers.stream().filter(a -> a.mediaType.equals(media)).findFirst().orElse(null);
        if (answer == null) {
            return List.of(what + ": Content-Type " + contentType + " is not documented (documented: "
                    + answers.stream().map(Answer::mediaType).toList() + ")");
        }
        if (body == null || !media.endsWith("json")) {
            return List.of();
        }
        return validate(what, body, answer.schema);
    }

    private static List<String> validate(String what, String body, Schema schema) {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (JacksonException e) {
            return List.of(what + ": the body is not JSON: " + abbreviate(body));
        }
        List<Error> errors = schema.validate(tree);
        return errors.stream().map(e -> what + ": " + e.getInstanceLocation() + " " + e.getMessage() + " (schema " + e.getSchemaLocation() + ")")
                .toList();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
