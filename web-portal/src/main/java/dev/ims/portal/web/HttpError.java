package dev.ims.portal.web;

import java.time.Duration;

/**
 * A request that cannot be answered; rendered as {@code {"error": message}} with {@code status}, and with a
 * {@code Retry-After} header (whole seconds, at least 1) when {@link #retryAfter()} is set (429, 503).
 */
public final class HttpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Duration retryAfter;
    private final transient java.util.Map<String, Object> details;

    public HttpError(int status, String message) {
        this(status, message, null);
    }

    public HttpError(int status, String message, Duration retryAfter) {
        this(status, message, retryAfter, java.util.Map.of());
    }

    private HttpError(int status, String message, Duration retryAfter, java.util.Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
        this.details = details;
    }

    /** The same error whose JSON body also carries {@code field} (e.g. the relay interlock's {@code interlock}). */
    public HttpError with(String field, Object value) {
        java.util.Map<String, Object> more = new java.util.LinkedHashMap<>(details);
        more.put(field, value);
        return new HttpError(status, getMessage(), retryAfter, java.util.Collections.unmodifiableMap(more));
    }

    /** Fields the JSON body carries besides {@code error}; empty for most errors. */
    public java.util.Map<String, Object> details() {
        return details;
    }

    public int status() {
        return status;
    }

    /** How long the client should wait before trying again, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The {@code Retry-After} value: whole seconds, rounded up, at least 1. */
    public String retryAfterSeconds() {
        long s = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
        return Long.toString(Math.max(1, s));
    }

    public static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    public static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    /** 429 with a Retry-After of {@code wait}; the message says how long in words. */
    public static HttpError tooMany(String what, Duration wait) {
        long seconds = Math.max(1, wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0));
        String when = seconds < 120 ? seconds + " second(s)" : (seconds + 59) / 60 + " minute(s)";
        return new HttpError(429, what + "; try again in " + when, wait);
    }
}
