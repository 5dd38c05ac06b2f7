package dev.ims.portal;

import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import dev.ims.portal.usage.FlatTariff;
import dev.ims.portal.usage.Tariff;
import dev.ims.portal.account.Passwords;
import java.util.Map;

/**
 * @param ims the shared configuration
 * @param tariff prices the usage ({@code TARIFF_PRICE_PER_KWH}, {@code TARIFF_CURRENCY}: an extension)
 * @param passwordCost bcrypt cost of password hashes ({@code PASSWORD_HASH_COST}, default 12)
 * @param secureCookies mark cookies {@code Secure} ({@code PORTAL_SECURE_COOKIES=true}): set it when the
 *     portal is served over HTTPS, as it must be anywhere but on localhost
 */
public record PortalSettings(ImsSettings ims, Tariff tariff, int passwordCost, boolean secureCookies) {

    public static final String PASSWORD_HASH_COST = "PASSWORD_HASH_COST";
    public static final String PORTAL_SECURE_COOKIES = "PORTAL_SECURE_COOKIES";

    public static final String TARIFF_PRICE_PER_KWH = "TARIFF_PRICE_PER_KWH";
    public static final String TARIFF_CURRENCY = "TARIFF_CURRENCY";

    /** The same settings with another bcrypt cost (tests use a low one for speed). */
    public PortalSettings withPasswordCost(int cost) {
        return new PortalSettings(ims, tariff, cost, secureCookies);
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
        String currency = environment.getOrDefault(TARIFF_CURRENCY, FlatTariff.DEFAULT_CURRENCY);
        double p = FlatTariff.DEFAULT_PRICE_PER_KWH;
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
        try {
            return new PortalSettings(ims, new FlatTariff(p, currency), cost(environment.get(PASSWORD_HASH_COST)),
                    Boolean.parseBoolean(environment.getOrDefault(PORTAL_SECURE_COOKIES, "false").trim()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TARIFF_PRICE_PER_KWH + ": " + e.getMessage());
        }
    }
}
