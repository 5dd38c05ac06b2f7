package dev.ims.portal.web;

import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * The security headers every answer carries (pages, API, static files, errors, even the request guard's
 * refusals): set by {@link RequestGuard} before routing, so no handler can forget them.
 *
 * <p>The Content-Security-Policy allows nothing from elsewhere: the pages load only {@code /static/style.css},
 * have no scripts (except the API explorer, {@code /api-docs}, whose scripts are files served from here: Swagger UI's
 * bundle and {@code /static/api-docs.js}) and no inline {@code style} attributes. The one inline style is the {@code <style>}
 * element inside each server-rendered SVG chart; it is a constant, allowed by its SHA-256 hash (passed in as
 * {@code extraStyleSources}) instead of {@code 'unsafe-inline'}, so injected markup still cannot style or script
 * anything. {@code data:} images are allowed for future inline icons; nothing else is.
 */
public final class SecurityHeaders {

    private final String policy;

    /** @param extraStyleSources CSP source expressions added to {@code style-src}, e.g. {@code 'sha256-…'} */
    public SecurityHeaders(List<String> extraStyleSources) {
        this.policy = "default-src 'self'; img-src 'self' data:; style-src 'self'"
                + extraStyleSources.stream().map(s -> " " + s).reduce("", String::concat)
                + "; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
    }

    /** The Content-Security-Policy value. */
    public String policy() {
        return policy;
    }

    public void apply(HttpServerResponse response) {
        response.putHeader("Content-Security-Policy", policy)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "same-origin");
    }
}
