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

    public HttpError(int status, String message) {
        this(status, message, null);
    }

    public HttpError(int status, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
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
