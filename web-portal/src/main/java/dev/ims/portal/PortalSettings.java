package dev.ims.portal;

import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.tariff.TariffCodec;
import dev.ims.portal.tariff.TariffException;
import dev.ims.portal.tariff.TariffVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import dev.ims.portal.account.AuthLimits;
import dev.ims.portal.account.Passwords;
import java.util.Map;
import dev.ims.portal.broker.MonitorOptions;
import dev.ims.portal.command.CommandOptions;

/**
 * @param ims the shared configuration
 * @param tariff the configured tariff: the versions in {@code TARIFF_FILE} (JSON, see {@link TariffCodec}), or
 *     else a flat {@code TARIFF_PRICE_PER_KWH} in {@code TARIFF_CURRENCY}; staff edits in the portal
 *     take over from it
 * @param passwordCost bcrypt cost of password hashes ({@code PASSWORD_HASH_COST}, default 12)
 * @param secureCookies mark cookies {@code Secure} ({@code PORTAL_SECURE_COOKIES=true}): set it when the
 *     portal is served over HTTPS, as it must be anywhere but on localhost
 * @param behindProxy take the client's address from {@code X-Forwarded-For} ({@code PORTAL_BEHIND_PROXY=true}):
 *     only behind a reverse proxy that sets it, or clients could choose their own address
 * @param limits log-in, claim-code and sign-up limits and the cap on concurrent password hashes
 *     ({@link AuthLimits#DEFAULTS}; tests change them with {@link #withLimits})
 * @param commandSigningKeyFile the private key relay commands are signed with ({@code COMMAND_SIGNING_KEY_FILE},
 *     default {@code {IMS_DATA_DIR}/keys/command-signing-key.json}); generated at first start, the public key set
 *     meters trust is kept beside it ({@link #commandKeySetFile()})
 * @param provisioningKeyFile the fleet provisioning key meters enrol with ({@code IMS_PROVISIONING_KEY_FILE}, default
 *     {@code {IMS_DATA_DIR}/keys/provisioning-key}); generated at first start ({@code 0600})
 * @param circuitSavingDays days a circuit's schedule is in force before the portal shows the saving it achieved
 *     ({@code CIRCUIT_SAVING_DAYS}, default {@value dev.ims.portal.circuit.CircuitControlService#DEFAULT_SAVING_DAYS}; 1 to 366)
 * @param monitor the broker and pipeline monitor: its monitoring identity and alarm thresholds ({@link MonitorOptions})
 * @param tariffCacheLife how long the tariff book read from the store is used before it is read again
 *     ({@code TARIFF_CACHE_SECONDS}, default {@value #DEFAULT_TARIFF_CACHE_SECONDS}; 0: read for every figure); a save or
 *     removal through this portal drops it at once, another portal instance's change shows within this life
 * @param usageCacheDays how much of the meters' day documents (decoded) and usage figures the portal keeps in memory,
 *     in days' worth ({@code USAGE_CACHE_DAYS}, default {@value #DEFAULT_USAGE_CACHE_DAYS}; 0: none kept; a day with its hours
 *     counts 2, with its quarter hours 5), least recently used meters dropped first, and a meter's dropped as soon as its
 *     meter document shows a newer reading
 * @param commands fleet operations on relays: the bulk rate limit, bulks per staff member, the approval deadline
 *     ({@link CommandOptions})
 * @param fleet the staff's fleet view: its index's resync and feed poll, its live streams
 *     ({@link dev.ims.portal.fleet.FleetOptions}: {@code FLEET_RESYNC_SECONDS}, {@code FLEET_POLL_MILLIS}, {@code FLEET_EVENT_STREAMS})
 */
public record PortalSettings(ImsSettings ims, TariffBook tariff, int passwordCost, boolean secureCookies, boolean behindProxy,
        String metricsToken, AuthLimits limits, Path commandSigningKeyFile, Path provisioningKeyFile, int circuitSavingDays,
        MonitorOptions monitor, java.time.Duration tariffCacheLife, int usageCacheDays, CommandOptions commands,
        dev.ims.portal.fleet.FleetOptions fleet) {

    public static final String TARIFF_CACHE_SECONDS = "TARIFF_CACHE_SECONDS";
    public static final int DEFAULT_TARIFF_CACHE_SECONDS = 30;
    public static final String USAGE_CACHE_DAYS = "USAGE_CACHE_DAYS";
    /**
     * Weight of the days kept (see {@code DayCache.weight}): about 25 MB of decoded day documents with their hours, e.g.
     * 27 meter-years of hourly data, or the last two months and a month of quarter hours of about 100 meters.
     */
    public static final int DEFAULT_USAGE_CACHE_DAYS = 20_000;

    public static final String CIRCUIT_SAVING_DAYS = "CIRCUIT_SAVING_DAYS";

    public static final String IMS_PROVISIONING_KEY_FILE = "IMS_PROVISIONING_KEY_FILE";

    public static final String COMMAND_SIGNING_KEY_FILE = "COMMAND_SIGNING_KEY_FILE";

    /** The bearer token a Prometheus scraper presents on {@code /metrics}; unset: staff sessions only. */
    public static final String METRICS_TOKEN = "METRICS_TOKEN";

    public static final String PORTAL_BEHIND_PROXY = "PORTAL_BEHIND_PROXY";

    public static final String TARIFF_FILE = "TARIFF_FILE";
    /** The flat tariff's default price and currency, valid from this day on (and before: the earliest version applies). */
    public static final double DEFAULT_PRICE_PER_KWH = 0.30;
    public static final String DEFAULT_CURRENCY = "EUR";
    public static final LocalDate DEFAULT_VALID_FROM = LocalDate.of(2000, 1, 1);

    public static final String PASSWORD_HASH_COST = "PASSWORD_HASH_COST";
    public static final String PORTAL_SECURE_COOKIES = "PORTAL_SECURE_COOKIES";

    public static final String TARIFF_PRICE_PER_KWH = "TARIFF_PRICE_PER_KWH";
    public static final String TARIFF_CURRENCY = "TARIFF_CURRENCY";

    /** The same settings with another bcrypt cost (tests use a low one for speed). */
    public PortalSettings withPasswordCost(int cost) {
        return new PortalSettings(ims, tariff, cost, secureCookies, behindProxy, metricsToken, limits, commandSigningKeyFile, provisioningKeyFile, circuitSavingDays, monitor, tariffCacheLife, usageCacheDays, commands, fleet);
    }

    /** The same settings with other limits. */
    public PortalSettings withLimits(AuthLimits other) {
        return new PortalSettings(ims, tariff, passwordCost, secureCookies, behindProxy, metricsToken, other, commandSigningKeyFile, provisioningKeyFile, circuitSavingDays, monitor, tariffCacheLife, usageCacheDays, commands, fleet);
    }

    /** The same settings with another provisioning key file. */
    public PortalSettings withProvisioningKeyFile(Path file) {
        return new PortalSettings(ims, tariff, passwordCost, secureCookies, behindProxy, metricsToken, limits, commandSigningKeyFile, file, circuitSavingDays, monitor, tariffCacheLife, usageCacheDays, commands, fleet);
    }

    /** The public keys meters trust, which the portal keeps next to its signing key: {@code command-keys.json}. */
    public Path commandKeySetFile() {
        return dev.ims.portal.command.SigningKeys.keySetBeside(commandSigningKeyFile);
    }

    @Override
    public String toString() {
        return "PortalSettings[ims=" + ims + ", tariff=" + tariff + ", passwordCost=" + passwordCost + ", secureCookies=" + secureCookies
                + ", behindProxy=" + behindProxy + ", metricsToken=" + (metricsToken == null ? "null" : "<hidden>")
                + ", limits=" + limits + ", commandSigningKeyFile=" + commandSigningKeyFile + ", provisioningKeyFile=" + provisioningKeyFile + ", circuitSavingDays=" + circuitSavingDays + ", monitor=" + monitor + ", tariffCacheLife=" + tariffCacheLife + ", usageCacheDays=" + usageCacheDays + ", commands=" + commands + ", fleet=" + fleet + "]";
    }

    private static int cost(String value) {
        if (value == null || value.isBlank()) {
            return Passwords.DEFAULT_COST;
        }
        try {
            int c = Integer.parseInt(value.trim());
            if (c >= 10 && c <= 16) {
                return c;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(PASSWORD_HASH_COST + " must be a whole number from 10 to 16, got '" + value + "'");
    }

    public static PortalSettings load(ImsSettings ims, Map<String, String> environment) {
        String price = environment.get(TARIFF_PRICE_PER_KWH);
        String currency = environment.getOrDefault(TARIFF_CURRENCY, DEFAULT_CURRENCY);
        double p = DEFAULT_PRICE_PER_KWH;
        if (price != null && !price.isBlank()) {
            try {
                p = Double.parseDouble(price.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(TARIFF_PRICE_PER_KWH + " must be a number such as 0.30, got '" + price + "'");
            }
        }
        if (!currency.matches("[A-Z]{3}")) {
            throw new ConfigException(TARIFF_CURRENCY + " must be an ISO 4217 code such as EUR, got '" + currency + "'");
        }
        TariffBook book;
        String file = environment.get(TARIFF_FILE);
        if (file != null && !file.isBlank()) {
            try {
                book = TariffCodec.readBook(Files.readAllBytes(Path.of(file.trim())));
            } catch (IOException e) {
                throw new ConfigException(TARIFF_FILE + ": cannot read " + file + ": " + e.getMessage());
            } catch (TariffException e) {
                throw new ConfigException(TARIFF_FILE + " " + file + ": " + e.getMessage());
            }
        } else {
            try {
                book = new TariffBook(List.of(TariffVersion.flat(DEFAULT_VALID_FROM, currency, p)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(TARIFF_PRICE_PER_KWH + ": " + e.getMessage());
            }
        }
        return new PortalSettings(ims, book, cost(environment.get(PASSWORD_HASH_COST)),
                Boolean.parseBoolean(environment.getOrDefault(PORTAL_SECURE_COOKIES, "false").trim()),
                Boolean.parseBoolean(environment.getOrDefault(PORTAL_BEHIND_PROXY, "false").trim()),
                metricsToken(environment.get(METRICS_TOKEN)), AuthLimits.DEFAULTS, signingKeyFile(ims, environment.get(COMMAND_SIGNING_KEY_FILE)),
                provisioningKeyFile(ims, environment.get(IMS_PROVISIONING_KEY_FILE)), savingDays(environment.get(CIRCUIT_SAVING_DAYS)),
                MonitorOptions.load(ims, environment),
                java.time.Duration.ofSeconds(whole(TARIFF_CACHE_SECONDS, environment.get(TARIFF_CACHE_SECONDS), DEFAULT_TARIFF_CACHE_SECONDS, 86_400)),
                whole(USAGE_CACHE_DAYS, environment.get(USAGE_CACHE_DAYS), DEFAULT_USAGE_CACHE_DAYS, 10_000_000), CommandOptions.load(environment),
                dev.ims.portal.fleet.FleetOptions.load(environment));
    }

    /** The same settings with another monitor configuration (tests: a monitoring identity, a short sample interval). */
    public PortalSettings withMonitor(MonitorOptions other) {
        return new PortalSettings(ims, tariff, passwordCost, secureCookies, behindProxy, metricsToken, limits, commandSigningKeyFile,
                provisioningKeyFile, circuitSavingDays, other, tariffCacheLife, usageCacheDays, commands, fleet);
    }

    /** The same settings with other fleet view options (tests: a resync before every read, a quick poll). */
    public PortalSettings withFleet(dev.ims.portal.fleet.FleetOptions other) {
        return new PortalSettings(ims, tariff, passwordCost, secureCookies, behindProxy, metricsToken, limits, commandSigningKeyFile,
                provisioningKeyFile, circuitSavingDays, monitor, tariffCacheLife, usageCacheDays, commands, other);
    }

    /** The same settings with other read caches (tests that change the store behind the portal's back turn them off). */
    public PortalSettings withReadCaches(java.time.Duration tariffLife, int usageDays) {
        return new PortalSettings(ims, tariff, passwordCost, secureCookies, behindProxy, metricsToken, limits, commandSigningKeyFile,
                provisioningKeyFile, circuitSavingDays, monitor, tariffLife, usageDays, commands, fleet);
    }

    private static int whole(String name, String raw, int defaultValue, int max) {
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(raw.strip());
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(name + " must be a whole number from 0 to " + max + ", got '" + raw + "'");
    }

    /** The same settings with other relay operations options (tests: a slow release tick, a short approval deadline). */
    public PortalSettings withCommands(CommandOptions other) {
        return new PortalSettings(ims, tariff, passwordCost, secureCookies, behindProxy, metricsToken, limits, commandSigningKeyFile,
                provisioningKeyFile, circuitSavingDays, monitor, tariffCacheLife, usageCacheDays, other, fleet);
    }

    /** The same settings with another saving period (tests shorten it). */
    public PortalSettings withCircuitSavingDays(int days) {
        return new PortalSettings(ims, tariff, passwordCost, secureCookies, behindProxy, metricsToken, limits, commandSigningKeyFile,
                provisioningKeyFile, days, monitor, tariffCacheLife, usageCacheDays, commands, fleet);
    }

    private static int savingDays(String raw) {
        if (raw == null || raw.isBlank()) {
            return dev.ims.portal.circuit.CircuitControlService.DEFAULT_SAVING_DAYS;
        }
        try {
            int d = Integer.parseInt(raw.strip());
            if (d >= 1 && d <= 366) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(CIRCUIT_SAVING_DAYS + " must be a whole number of days from 1 to 366, got '" + raw + "'");
    }

    private static Path signingKeyFile(ImsSettings ims, String raw) {
        if (raw == null || raw.isBlank()) {
            return dev.ims.model.command.CommandKeys.defaultSigningKeyFile(ims.dataDir());
        }
        try {
            return Path.of(raw.strip());
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(COMMAND_SIGNING_KEY_FILE + " '" + raw + "' is not a file path: " + e.getReason());
        }
    }

    /** The default: {@code {IMS_DATA_DIR}/keys/provisioning-key}. */
    public static Path defaultProvisioningKeyFile(Path dataDir) {
        return dataDir.resolve("keys").resolve("provisioning-key");
    }

    private static Path provisioningKeyFile(ImsSettings ims, String raw) {
        if (raw == null || raw.isBlank()) {
            return defaultProvisioningKeyFile(ims.dataDir());
        }
        try {
            return Path.of(raw.strip());
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(IMS_PROVISIONING_KEY_FILE + " '" + raw + "' is not a file path: " + e.getReason());
        }
    }

    private static String metricsToken(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        if (raw.strip().length() < 20) {
            throw new ConfigException(METRICS_TOKEN + " must be at least 20 characters (it guards /metrics)");
        }
        return raw.strip();
    }
}
