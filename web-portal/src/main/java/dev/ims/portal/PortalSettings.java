package dev.ims.portal;

import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import dev.ims.portal.usage.FlatTariff;
import dev.ims.portal.usage.Tariff;
import java.util.Map;

/**
 * @param ims the shared configuration
 * @param tariff prices the usage ({@code TARIFF_PRICE_PER_KWH}, {@code TARIFF_CURRENCY}: an extension)
 */
public record PortalSettings(ImsSettings ims, Tariff tariff) {

    public static final String TARIFF_PRICE_PER_KWH = "TARIFF_PRICE_PER_KWH";
    public static final String TARIFF_CURRENCY = "TARIFF_CURRENCY";

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
            return new PortalSettings(ims, new FlatTariff(p, currency));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TARIFF_PRICE_PER_KWH + ": " + e.getMessage());
        }
    }
}
