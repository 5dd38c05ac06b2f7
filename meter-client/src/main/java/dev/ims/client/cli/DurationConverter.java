package dev.ims.client.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * A command-line duration: whole seconds ({@code 60}), seconds/minutes/hours with a unit ({@code 90s},
 * {@code 5m}, {@code 1h}) or ISO-8601 ({@code PT1M30S}). Never negative.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        String v = value.trim();
        Duration d;
        try {
            if (v.matches("\\d+")) {
                d = Duration.ofSeconds(Long.parseLong(v));
            } else if (v.matches("\\d+[smh]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                d = switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else {
                d = Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: give seconds (60), 90s, 5m, 1h or ISO-8601 (PT1M)");
        }
        if (d.isNegative()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is negative");
        }
        return d;
    }
}
