package dev.ims.portal.device;

import dev.ims.client.dynsec.DynsecAccounts;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.BrokerAccounts;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.Credential;
import dev.ims.model.security.ServiceCredentials;
import dev.ims.model.topic.Topics;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;

/**
 * Which broker accounts the portal keeps in step with its register of meters, for a broker other than the embedded
 * one ({@value #MQTT_ACCOUNTS}):
 * <ul>
 *   <li>{@code dynsec}: Mosquitto's dynamic-security plugin, managed as the admin identity {@value #ADMIN_IDENTITY}
 *       ({@code MQTT_ADMIN_USERNAME}/{@code MQTT_ADMIN_PASSWORD}, or its identity file, which {@code ./ims
 *       mosquitto-init} writes). The default when that identity file exists.
 *   <li>{@code store}: the broker authenticates meters from the store's {@code devices} collection by itself.
 * </ul>
 */
public final class BrokerAccountsChoice {

    public static final String MQTT_ACCOUNTS = "MQTT_ACCOUNTS";
    public static final String ADMIN_IDENTITY = "ims-admin";

    private BrokerAccountsChoice() {}

    /** The accounts for the broker at {@code settings}' {@code MQTT_URL}; a {@link DynsecAccounts} is the caller's to close. */
    public static BrokerAccounts open(ImsSettings settings, Map<String, String> env) {
        boolean adminFile = Files.exists(ServiceCredentials.file(settings.dataDir(), ADMIN_IDENTITY));
        String choice = env.getOrDefault(MQTT_ACCOUNTS, adminFile || env.containsKey("MQTT_ADMIN_USERNAME") ? "dynsec" : "store")
                .trim().toLowerCase(Locale.ROOT);
        switch (choice) {
            case "store":
                return BrokerAccounts.STORE_BACKED;
            case "dynsec":
                Credential admin = env.containsKey("MQTT_ADMIN_USERNAME")
                        ? new Credential(env.get("MQTT_ADMIN_USERNAME"), env.getOrDefault("MQTT_ADMIN_PASSWORD", ""))
                        : ServiceCredentials.load(ServiceCredentials.file(settings.dataDir(), ADMIN_IDENTITY)).orElseThrow(() ->
                                new ConfigException(MQTT_ACCOUNTS + "=dynsec needs the broker's admin identity: MQTT_ADMIN_USERNAME and"
                                        + " MQTT_ADMIN_PASSWORD, or " + ServiceCredentials.file(settings.dataDir(), ADMIN_IDENTITY)
                                        + " (./ims mosquitto-init writes it)"));
                return new DynsecAccounts(settings, settings.mqttEndpoint().orElseThrow(() -> new ConfigException(
                        MQTT_ACCOUNTS + "=dynsec needs MQTT_URL")), admin,
                        new BrokerRights(new Topics(settings.topicPrefix()), settings.ingestGroup()));
            default:
                throw new ConfigException(MQTT_ACCOUNTS + " must be dynsec or store, not '" + choice + "'");
        }
    }
}
