package dev.ims.client.enrol;

import dev.ims.client.cli.DurationConverter;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;

/**
 * Where and how a meter enrols.
 *
 * @param portalUrl the portal's base URL ({@code --portal-url} / {@value #IMS_PORTAL_URL}, default {@code
 *     http://127.0.0.1:{HTTP_PORT}}, 8080 when {@code HTTP_PORT} is unset or 0)
 * @param provisioningKey the fleet provisioning key, or null when none is available: the meter then does not enrol
 *     (it may have been registered by an operator) and says once how it would
 * @param keySource where the key came from, or where it was looked for (for messages; never the key itself)
 * @param retryFor how long a meter that was never enrolled keeps asking an unreachable portal ({@code --enrol-timeout} /
 *     {@value #IMS_ENROL_TIMEOUT}, default 2 minutes)
 * @param firstRetry the first pause between two attempts; it doubles up to 30 s
 */
public record EnrolmentSettings(URI portalUrl, String provisioningKey, String keySource, Duration retryFor, Duration firstRetry) {

    public static final String IMS_PORTAL_URL = "IMS_PORTAL_URL";
    public static final String IMS_PROVISIONING_KEY = "IMS_PROVISIONING_KEY";
    public static final String IMS_PROVISIONING_KEY_FILE = "IMS_PROVISIONING_KEY_FILE";
    public static final String IMS_ENROL_TIMEOUT = "IMS_ENROL_TIMEOUT";
    /** The provisioning key the local portal writes, relative to {@code IMS_DATA_DIR}. */
    public static final String DEFAULT_PROVISIONING_KEY_FILE = "keys/provisioning-key";
    public static final Duration DEFAULT_RETRY_FOR = Duration.ofMinutes(2);
    public static final Duration DEFAULT_FIRST_RETRY = Duration.ofSeconds(1);
    public static final Duration MAX_RETRY = Duration.ofSeconds(30);

    /** Enrolment at {@code portalUrl} with this key (given in-process, e.g. by the launcher). */
    public static EnrolmentSettings of(URI portalUrl, String provisioningKey) {
        return new EnrolmentSettings(portalUrl, provisioningKey, "the given provisioning key", DEFAULT_RETRY_FOR, DEFAULT_FIRST_RETRY);
    }

    /** These settings with another retry budget and first pause (tests). */
    public EnrolmentSettings withRetry(Duration retryFor, Duration firstRetry) {
        return new EnrolmentSettings(portalUrl, provisioningKey, keySource, retryFor, firstRetry);
    }

    public boolean hasKey() {
        return provisioningKey != null;
    }

    /**
     * From the options given (null: not given) and the environment. The key is {@code --provisioning-key-file}'s
     * content when given, else {@value #IMS_PROVISIONING_KEY}, else the content of {@value #IMS_PROVISIONING_KEY_FILE},
     * else of {@code {IMS_DATA_DIR}/keys/provisioning-key} when it exists.
     *
     * @throws ConfigException naming the option or variable when a URL, a duration or a named key file is wrong
     */
    public static EnrolmentSettings load(Map<String, String> env, ImsSettings settings, String portalUrlOption, Path keyFileOption,
            Duration retryForOption) {
        String url = portalUrlOption != null ? portalUrlOption : blankToNull(env.get(IMS_PORTAL_URL));
        String urlName = portalUrlOption != null ? "--portal-url" : IMS_PORTAL_URL;
        URI portal = url == null ? defaultPortal(settings) : portalUri(url, urlName);

        Duration retryFor = retryForOption;
        String timeout = blankToNull(env.get(IMS_ENROL_TIMEOUT));
        if (retryFor == null && timeout != null) {
            try {
                retryFor = new DurationConverter().convert(timeout);
            } catch (CommandLine.TypeConversionException e) {
                throw new ConfigException(IMS_ENROL_TIMEOUT + ": " + e.getMessage());
            }
        }
        if (retryFor == null) {
            retryFor = DEFAULT_RETRY_FOR;
        }

        String key;
        String source;
        String envKey = blankToNull(env.get(IMS_PROVISIONING_KEY));
        String envFile = blankToNull(env.get(IMS_PROVISIONING_KEY_FILE));
        if (keyFileOption != null) {
            key = readKey(keyFileOption, "--provisioning-key-file", true);
            source = keyFileOption.toString();
        } else if (envKey != null) {
            key = envKey.strip();
            source = IMS_PROVISIONING_KEY;
        } else if (envFile != null) {
            key = readKey(Path.of(envFile), IMS_PROVISIONING_KEY_FILE, true);
            source = envFile;
        } else {
            Path file = settings.dataDir().resolve(DEFAULT_PROVISIONING_KEY_FILE);
            key = readKey(file, null, false);
            source = file.toAbsolutePath().normalize().toString();
        }
        return new EnrolmentSettings(portal, key, source, retryFor, DEFAULT_FIRST_RETRY);
    }

    /** {@code http://127.0.0.1:{HTTP_PORT}} (the bind address's host when the portal listens on one interface only). */
    static URI defaultPortal(ImsSettings settings) {
        int port = settings.httpPort() > 0 ? settings.httpPort() : ImsSettings.DEFAULT_HTTP_PORT;
        String host = settings.bindAddress() != null ? settings.bindAddress().urlHost() : ImsSettings.DEFAULT_BIND_ADDRESS;
        return URI.create("http://" + host + ":" + port);
    }

    private static URI portalUri(String url, String name) {
        try {
            URI u = URI.create(url.strip());
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + " must be the portal's http:// or https:// URL, e.g. http://127.0.0.1:8080; got '" + url + "'");
        }
    }

    /** The file's first line, stripped; null when it is missing and not {@code required}. */
    private static String readKey(Path file, String name, boolean required) {
        if (!Files.exists(file)) {
            if (required) {
                throw new ConfigException(name + ": the provisioning key file " + file + " does not exist");
            }
            return null;
        }
        try {
            String key = Files.readString(file, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("").strip();
            if (key.isEmpty()) {
                throw new ConfigException((name != null ? name + ": " : "") + "the provisioning key file " + file + " is empty");
            }
            return key;
        } catch (IOException e) {
            throw new ConfigException((name != null ? name + ": " : "") + "cannot read the provisioning key file " + file + ": " + e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Without the key. */
    @Override
    public String toString() {
        return "EnrolmentSettings[portalUrl=" + portalUrl + ", provisioningKey=" + (hasKey() ? "<hidden> from " + keySource : "none")
                + ", retryFor=" + retryFor + "]";
    }
}
