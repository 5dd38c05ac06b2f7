package dev.ims.portal.web;

import dev.ims.model.meter.MeterIds;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/** Parsing of query and path parameters; every failure is a 400 naming the parameter. */
public final class Params {

    private Params() {}

    public static String meterId(String id) {
        if (!MeterIds.isValid(id)) {
            throw HttpError.badRequest("meter ID must match [A-Za-z0-9_-]{3,64}");
        }
        return id;
    }

    /** A date {@code 2026-11-24} (its start in {@code zone}) or an ISO-8601 instant; null when absent. */
    public static Instant instant(String name, String value, ZoneId zone) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(zone).toInstant() : Instant.parse(value);
        } catch (DateTimeException e) {
            throw HttpError.badRequest(name + " must be a date (2026-11-24) or an ISO-8601 instant (2026-11-24T10:15:00Z)");
        }
    }

    /**
     * Like {@link #instant(String, String, ZoneId)}, but when {@code endOfDay} a bare date means the end of
     * that day (the start of the next), so {@code to=2026-11-24} includes the 24th.
     */
    public static Instant instant(String name, String value, ZoneId zone, boolean endOfDay) {
        Instant i = instant(name, value, zone);
        if (i != null && endOfDay && value.length() == 10) {
            return LocalDate.parse(value).plusDays(1).atStartOfDay(zone).toInstant();
        }
        return i;
    }

    /** A date, or the local day of an instant; null when absent. */
    public static LocalDate day(String name, String value, ZoneId zone) {
        Instant i = instant(name, value, zone);
        return i == null ? null : i.atZone(zone).toLocalDate();
    }

    public static int limit(String value, int defaultValue, int max) {
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw HttpError.badRequest("limit must be a whole number from 1 to " + max);
    }

    /** The longest reason an audited action (relay command, quarantine decision) may carry. */
    public static final int MAX_REASON = 500;

    /** An audit-trail reason: trimmed, 3 to {@value #MAX_REASON} characters, one line without control characters. */
    public static String reason(String raw) {
        String r = raw == null ? "" : raw.strip();
        if (r.length() < 3 || r.length() > MAX_REASON || r.chars().anyMatch(Character::isISOControl)) {
            throw HttpError.badRequest("reason is required, 3 to " + MAX_REASON + " characters on one line: it goes into the audit trail");
        }
        return r;
    }
}
