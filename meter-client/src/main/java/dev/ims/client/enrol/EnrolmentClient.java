package dev.ims.client.enrol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Json;
import dev.ims.model.log.LogSafe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The meter's side of {@code POST {portal}/api/v1/enrolments} ({@code Authorization: Bearer <provisioning key>},
 * body {@code {"meterId","secret","claimVerifier"}}). The portal answers 201 (enrolled now) or 200 (the same meter
 * with the same secret again: idempotent) with {@code {"meterId","username","commandKeys"}}, where {@code
 * commandKeys} is its public command key set in the key-set file's format; errors are {@code {"error","message"?}}
 * with 400, 401, 409 (another secret) or 410 (decommissioned). Thread-safe: one client serves a whole fleet.
 */
public final class EnrolmentClient {

    /** The enrolment resource, below the portal's URL. */
    public static final String PATH = "/api/v1/enrolments";
    /** How long to wait for the portal's TCP connection, and for its answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper MAPPER = Json.mapper();

    private final URI endpoint;
    private final HttpClient http;

    /** @param portal the portal's base URL, e.g. {@code http://127.0.0.1:8080} (a trailing slash or path is kept) */
    public EnrolmentClient(URI portal) {
        String base = portal.toString();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Where enrolments are posted. */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * The portal's answer to a successful enrolment.
     *
     * @param created true for 201 (enrolled by this request), false for 200 (it was already, with this secret)
     * @param commandKeys the portal's public command key set, as the key-set file holds it
     */
    public record Enrolled(String meterId, String username, JsonNode commandKeys, boolean created) {}

    /**
     * Enrols a meter (idempotent for the same meter ID and secret).
     *
     * @throws EnrolmentException with its {@link EnrolmentException.Reason}; {@code UNREACHABLE} for no answer or 5xx
     */
    public Enrolled enrol(String provisioningKey, String meterId, String secret, String claimVerifier) throws EnrolmentException {
        ObjectNode body = MAPPER.createObjectNode().put("meterId", meterId).put("secret", secret).put("claimVerifier", claimVerifier);
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + provisioningKey)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new EnrolmentException(EnrolmentException.Reason.UNREACHABLE, 0,
                    "the portal at " + endpoint + " did not answer (" + e.getClass().getSimpleName()
                            + (e.getMessage() != null ? ": " + LogSafe.of(e.getMessage()) : "") + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnrolmentException(EnrolmentException.Reason.UNREACHABLE, 0, "interrupted while enrolling at " + endpoint, e);
        }
        int status = response.statusCode();
        if (status == 200 || status == 201) {
            return enrolled(response.body(), meterId, status);
        }
        String error = describeError(response.body());
        EnrolmentException.Reason reason = switch (status) {
            case 400 -> EnrolmentException.Reason.INVALID;
            case 401, 403 -> EnrolmentException.Reason.UNAUTHORIZED;
            case 409 -> EnrolmentException.Reason.CONFLICT;
            case 410 -> EnrolmentException.Reason.DECOMMISSIONED;
            default -> status >= 500 ? EnrolmentException.Reason.UNREACHABLE : EnrolmentException.Reason.UNEXPECTED;
        };
        throw new EnrolmentException(reason, status, "the portal at " + endpoint + " answered " + status + error, null);
    }

    private Enrolled enrolled(byte[] body, String meterId, int status) throws EnrolmentException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new EnrolmentException(EnrolmentException.Reason.UNEXPECTED, status,
                    "the portal at " + endpoint + " answered " + status + " without JSON", e);
        }
        JsonNode keys = root == null ? null : root.get("commandKeys");
        if (keys == null || !keys.isObject()) {
            throw new EnrolmentException(EnrolmentException.Reason.UNEXPECTED, status,
                    "the portal at " + endpoint + " answered " + status + " without a command key set (\"commandKeys\")", null);
        }
        String answeredId = root.path("meterId").asText(meterId);
        if (!answeredId.equals(meterId)) {
            throw new EnrolmentException(EnrolmentException.Reason.UNEXPECTED, status,
                    "the portal at " + endpoint + " enrolled meter " + LogSafe.of(answeredId) + " instead of " + meterId, null);
        }
        return new Enrolled(answeredId, root.path("username").asText(meterId), keys, status == 201);
    }

    /** {@code ": <error>: <message>"} from an error body, or an empty string when it has neither. */
    private static String describeError(byte[] body) {
        try {
            JsonNode root = MAPPER.readTree(body);
            if (root == null || !root.isObject()) {
                return "";
            }
            String error = root.path("error").asText("");
            String message = root.path("message").asText("");
            String text = error.isEmpty() ? message : message.isEmpty() || message.equals(error) ? error : error + ": " + message;
            return text.isEmpty() ? "" : " (" + LogSafe.of(text) + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
