package dev.ims.client.enrol;

import dev.ims.client.cli.DurationConverter;
import dev.ims.model.config.ImsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The enrolment options of every meter's CLI ({@code @Mixin}: the simulated agent, the Raspberry Pi bridge). An
 * option given wins over its environment variable. The provisioning key itself is never an option (it would show
 * in the process list): {@code IMS_PROVISIONING_KEY}, or a file.
 */
public final class EnrolmentOptions {

    @Option(names = "--portal-url", paramLabel = "URL",
            description = "The portal the meter enrols with (env IMS_PORTAL_URL, default http://127.0.0.1:{HTTP_PORT or 8080}).")
    String portalUrl;

    @Option(names = "--provisioning-key-file", paramLabel = "FILE",
            description = "The fleet provisioning key, with which a meter enrols itself (env IMS_PROVISIONING_KEY_FILE, default "
                    + "{IMS_DATA_DIR}/keys/provisioning-key, which the local portal writes; env IMS_PROVISIONING_KEY gives the key itself).")
    Path provisioningKeyFile;

    @Option(names = "--enrol-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a meter never enrolled keeps trying to reach the portal before it gives up: seconds, 90s, 5m or PT2M "
                    + "(env IMS_ENROL_TIMEOUT, default 2 minutes).")
    Duration enrolTimeout;

    /** @see EnrolmentSettings#load */
    public EnrolmentSettings settings(Map<String, String> environment, ImsSettings settings) {
        return EnrolmentSettings.load(environment, settings, portalUrl, provisioningKeyFile, enrolTimeout);
    }
}
