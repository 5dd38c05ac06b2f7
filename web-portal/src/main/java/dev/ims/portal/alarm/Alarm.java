package dev.ims.portal.alarm;

import java.time.Instant;

/**
 * Something staff should look at.
 *
 * @param kind what it is, e.g. {@code METER_OFFLINE}
 * @param severity {@code critical}, {@code warning} or {@code info}
 * @param meterId the meter it is about, or null for the system
 * @param since when it started, as far as the store knows, or null
 * @param detail one sentence with the evidence
 */
public record Alarm(String kind, String severity, String meterId, Instant since, String detail) {

    static int rank(String severity) {
        return switch (severity) {
            case "critical" -> 0;
            case "warning" -> 1;
            default -> 2;
        };
    }
}
