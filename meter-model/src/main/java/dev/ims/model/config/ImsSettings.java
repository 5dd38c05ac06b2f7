package dev.ims.model.config;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The contract's configuration, shared by every service. Each value comes from, in order: a
 * command-line option (passed in as an override under the variable's name), the environment variable,
 * the default named here.
 *
 * @param mqttUrl broker to use ({@code MQTT_URL}); empty: the launcher's embedded broker
 * @param mqttUsername {@code MQTT_USERNAME}, or null
 * @param mqttPassword {@code MQTT_PASSWORD}, or null; never printed
 * @param mongoUri MongoDB to use ({@code MONGO_URI}); empty: the launcher's embedded store
 * @param mongoDatabase {@code MONGO_DATABASE}
 * @param httpPort the portal's port ({@code HTTP_PORT}, 0 = any free port)
 * @param topicPrefix {@code TOPIC_PREFIX}
 * @param timeZone days and months are in this zone ({@code TIME_ZONE})
 * @param dataDir the embedded store's files and agents' state ({@code IMS_DATA_DIR})
 * @param mqttPort the embedded broker's port ({@code MQTT_PORT})
 * @param mongoPort the embedded store's port ({@code MONGO_PORT})
 * @param adminPassword first staff account's password ({@code IMS_ADMIN_PASSWORD}), or null
 * @param ingestGroup the ingest's shared-subscription group ({@code INGEST_GROUP}); an extension
 * @param bindAddress where the services that listen (the embedded broker and store, the portal) accept connections
 *     ({@code IMS_BIND_ADDRESS}, default {@value #DEFAULT_BIND_ADDRESS}: this machine only); an extension
 * @param mqttCaFile the CA certificate(s), PEM, a client trusts for an {@code ssl://} broker ({@code MQTT_CA_FILE}); null: the
 *     JDK's trust store. The local stack's is {@code IMS_DATA_DIR/tls/ca.pem}
 * @param mqttCertFile this client's certificate (PEM, its chain after it) to present to an {@code ssl://} broker
 *     ({@code MQTT_CERT_FILE}), or null; needs {@code mqttKeyFile}
 * @param mqttKeyFile the certificate's private key, unencrypted PKCS#8 PEM ({@code MQTT_KEY_FILE}), or null; a secret
 * @param mqttTlsPort the embedded broker's TLS port ({@code MQTT_TLS_PORT}, default {@value #DEFAULT_MQTT_TLS_PORT}, 0 = any free port)
 */
public record ImsSettings(
        Optional<String> mqttUrl,
        String mqttUsername,
        String mqttPassword,
        Optional<String> mongoUri,
        String mongoDatabase,
        int httpPort,
        String topicPrefix,
        ZoneId timeZone,
        Path dataDir,
        int mqttPort,
        int mongoPort,
        String adminPassword,
        String ingestGroup,
        BindAddress bindAddress,
        Path mqttCaFile,
        Path mqttCertFile,
        Path mqttKeyFile,
        int mqttTlsPort) {

    public static final String MQTT_URL = "MQTT_URL";
    public static final String MQTT_USERNAME = "MQTT_USERNAME";
    public static final String MQTT_PASSWORD = "MQTT_PASSWORD";
    public static final String MONGO_URI = "MONGO_URI";
    public static final String MONGO_DATABASE = "MONGO_DATABASE";
    public static final String HTTP_PORT = "HTTP_PORT";
    public static final String TOPIC_PREFIX = "TOPIC_PREFIX";
    public static final String TIME_ZONE = "TIME_ZONE";
    public static final String IMS_DATA_DIR = "IMS_DATA_DIR";
    public static final String MQTT_PORT = "MQTT_PORT";
    public static final String MONGO_PORT = "MONGO_PORT";
    public static final String IMS_ADMIN_PASSWORD = "IMS_ADMIN_PASSWORD";
    public static final String INGEST_GROUP = "INGEST_GROUP";
    public static final String IMS_BIND_ADDRESS = "IMS_BIND_ADDRESS";
    public static final String MQTT_CA_FILE = "MQTT_CA_FILE";
    public static final String MQTT_CERT_FILE = "MQTT_CERT_FILE";
    public static final String MQTT_KEY_FILE = "MQTT_KEY_FILE";
    public static final String MQTT_TLS_PORT = "MQTT_TLS_PORT";
    public static final int DEFAULT_MQTT_TLS_PORT = 8883;

    public static final String DEFAULT_MONGO_DATABASE = "ims";
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final String DEFAULT_DATA_DIR = "./data";
    public static final int DEFAULT_MQTT_PORT = 1883;
    public static final int DEFAULT_MONGO_PORT = 27017;
    public static final String DEFAULT_TOPIC_PREFIX = "meters";
    public static final String DEFAULT_INGEST_GROUP = "ims-ingest";
    /**
     * Loopback: a fresh install exposes nothing (the portal speaks plain HTTP, the broker plain MQTT without accounts).
     * {@code 0.0.0.0} or an interface's address is the explicit choice to open the services to the network.
     */
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

    public ImsSettings {
        if ((mqttCertFile == null) != (mqttKeyFile == null)) {
            throw new ConfigException(MQTT_CERT_FILE + " and " + MQTT_KEY_FILE + " go together: set both or neither");
        }
    }

    /** Settings from the process environment, overridden by {@code overrides} (e.g. CLI options). */
    public static ImsSettings load(Map<String, String> environment, Map<String, String> overrides) {
        Map<String, String> v = new HashMap<>(environment);
        overrides.forEach((k, val) -> {
            if (val != null) {
                v.put(k, val);
            }
        });
        return new ImsSettings(
                nonBlank(v.get(MQTT_URL)),
                nonBlank(v.get(MQTT_USERNAME)).orElse(null),
                nonBlank(v.get(MQTT_PASSWORD)).orElse(null),
                nonBlank(v.get(MONGO_URI)),
                nonBlank(v.get(MONGO_DATABASE)).orElse(DEFAULT_MONGO_DATABASE),
                port(v, HTTP_PORT, DEFAULT_HTTP_PORT),
                prefix(v.get(TOPIC_PREFIX)),
                zone(v.get(TIME_ZONE)),
                Path.of(nonBlank(v.get(IMS_DATA_DIR)).orElse(DEFAULT_DATA_DIR)),
                port(v, MQTT_PORT, DEFAULT_MQTT_PORT),
                port(v, MONGO_PORT, DEFAULT_MONGO_PORT),
                nonBlank(v.get(IMS_ADMIN_PASSWORD)).orElse(null),
                group(v.get(INGEST_GROUP)),
                BindAddress.parse(nonBlank(v.get(IMS_BIND_ADDRESS)).orElse(DEFAULT_BIND_ADDRESS)),
                nonBlank(v.get(MQTT_CA_FILE)).map(Path::of).orElse(null),
                nonBlank(v.get(MQTT_CERT_FILE)).map(Path::of).orElse(null),
                nonBlank(v.get(MQTT_KEY_FILE)).map(Path::of).orElse(null),
                port(v, MQTT_TLS_PORT, DEFAULT_MQTT_TLS_PORT));
    }

    public static ImsSettings fromEnvironment() {
        return load(System.getenv(), Map.of());
    }

    /** The broker endpoint when {@code MQTT_URL} is set. */
    public Optional<MqttEndpoint> mqttEndpoint() {
        return mqttUrl.map(MqttEndpoint::parse);
    }

    public ImsSettings withMqttUrl(String url) {
        return new ImsSettings(Optional.of(url), mqttUsername, mqttPassword, mongoUri, mongoDatabase, httpPort,
                topicPrefix, timeZone, dataDir, mqttPort, mongoPort, adminPassword, ingestGroup, bindAddress,
                mqttCaFile, mqttCertFile, mqttKeyFile, mqttTlsPort);
    }

    /** These settings with this process's own broker identity ({@code MQTT_USERNAME}, {@code MQTT_PASSWORD}). */
    public ImsSettings withMqttCredential(dev.ims.model.security.Credential credential) {
        return new ImsSettings(mqttUrl, credential.username(), credential.password(), mongoUri, mongoDatabase, httpPort,
                topicPrefix, timeZone, dataDir, mqttPort, mongoPort, adminPassword, ingestGroup, bindAddress,
                mqttCaFile, mqttCertFile, mqttKeyFile, mqttTlsPort);
    }

    /** These settings trusting {@code caFile} for an {@code ssl://} broker ({@code MQTT_CA_FILE}). */
    public ImsSettings withMqttCaFile(Path caFile) {
        return new ImsSettings(mqttUrl, mqttUsername, mqttPassword, mongoUri, mongoDatabase, httpPort,
                topicPrefix, timeZone, dataDir, mqttPort, mongoPort, adminPassword, ingestGroup, bindAddress,
                caFile, mqttCertFile, mqttKeyFile, mqttTlsPort);
    }

    /** These settings presenting a client certificate ({@code MQTT_CERT_FILE}, {@code MQTT_KEY_FILE}); both null: none. */
    public ImsSettings withMqttClientCertificate(Path certFile, Path keyFile) {
        return new ImsSettings(mqttUrl, mqttUsername, mqttPassword, mongoUri, mongoDatabase, httpPort,
                topicPrefix, timeZone, dataDir, mqttPort, mongoPort, adminPassword, ingestGroup, bindAddress,
                mqttCaFile, certFile, keyFile, mqttTlsPort);
    }

    public ImsSettings withMongoUri(String uri) {
        return new ImsSettings(mqttUrl, mqttUsername, mqttPassword, Optional.of(uri), mongoDatabase, httpPort,
                topicPrefix, timeZone, dataDir, mqttPort, mongoPort, adminPassword, ingestGroup, bindAddress,
                mqttCaFile, mqttCertFile, mqttKeyFile, mqttTlsPort);
    }

    @Override
    public String toString() {
        return "ImsSettings[mqttUrl=" + mqttUrl.orElse("<embedded>")
                + ", mqttUsername=" + mqttUsername
                + ", mqttPassword=" + (mqttPassword == null ? "null" : "<hidden>")
                + ", mongoUri=" + mongoUri.map(ImsSettings::hideCredentials).orElse("<embedded>")
                + ", mongoDatabase=" + mongoDatabase
                + ", httpPort=" + httpPort
                + ", topicPrefix=" + topicPrefix
                + ", timeZone=" + timeZone
                + ", dataDir=" + dataDir
                + ", mqttPort=" + mqttPort
                + ", mongoPort=" + mongoPort
                + ", adminPassword=" + (adminPassword == null ? "null" : "<hidden>")
                + ", ingestGroup=" + ingestGroup
                + ", bindAddress=" + bindAddress
                + ", mqttCaFile=" + mqttCaFile
                + ", mqttCertFile=" + mqttCertFile
                + ", mqttKeyFile=" + mqttKeyFile
                + ", mqttTlsPort=" + mqttTlsPort + "]";
    }

    /** {@code mongodb://user:secret@host} becomes {@code mongodb://user:<hidden>@host}. */
    public static String hideCredentials(String uri) {
        return uri.replaceAll("(://[^:/@]+):[^@/]*@", "$1:<hidden>@");
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }

    private static int port(Map<String, String> v, String name, int defaultValue) {
        Optional<String> s = nonBlank(v.get(name));
        if (s.isEmpty()) {
            return defaultValue;
        }
        try {
            int port = Integer.parseInt(s.get());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(name + " must be a port number from 0 to 65535, got '" + s.get() + "'");
    }

    private static String prefix(String s) {
        String prefix = nonBlank(s).orElse(DEFAULT_TOPIC_PREFIX);
        try {
            return new dev.ims.model.topic.Topics(prefix).prefix();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TOPIC_PREFIX + ": " + e.getMessage());
        }
    }

    private static String group(String s) {
        String group = nonBlank(s).orElse(DEFAULT_INGEST_GROUP);
        if (!group.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new ConfigException(INGEST_GROUP + " must match [A-Za-z0-9_-]{1,64}, got '" + group + "'");
        }
        return group;
    }

    private static ZoneId zone(String s) {
        Optional<String> z = nonBlank(s);
        if (z.isEmpty()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(z.get());
        } catch (DateTimeException e) {
            throw new ConfigException(TIME_ZONE + " '" + z.get() + "' is not a time zone such as Europe/Berlin or UTC");
        }
    }
}
