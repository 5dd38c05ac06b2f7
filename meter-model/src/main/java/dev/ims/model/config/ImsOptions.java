package dev.ims.model.config;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The contract's configuration as command-line options, for every service's CLI ({@code @Mixin}).
 * An option given on the command line wins over the environment variable of the same meaning.
 */
public final class ImsOptions {

    @Option(names = "--mqtt-url", description = "Broker URL, e.g. tcp://localhost:1883 (env MQTT_URL).")
    String mqttUrl;

    @Option(names = "--mqtt-username", description = "Broker user name (env MQTT_USERNAME).")
    String mqttUsername;

    @Option(names = "--mqtt-password", description = "Broker password (env MQTT_PASSWORD).", arity = "0..1", interactive = false)
    String mqttPassword;

    @Option(names = "--mongo-uri", description = "MongoDB connection string (env MONGO_URI).")
    String mongoUri;

    @Option(names = "--mongo-database", description = "Database name (env MONGO_DATABASE, default ims).")
    String mongoDatabase;

    @Option(names = "--http-port", description = "Portal HTTP port (env HTTP_PORT, default 8080).")
    String httpPort;

    @Option(names = "--topic-prefix", description = "Topic prefix (env TOPIC_PREFIX, default meters).")
    String topicPrefix;

    @Option(names = "--time-zone", description = "Zone of days and months (env TIME_ZONE, default the system's).")
    String timeZone;

    @Option(names = "--data-dir", description = "Embedded store files and agent state (env IMS_DATA_DIR, default ./data).")
    String dataDir;

    @Option(names = "--mqtt-port", description = "Embedded broker port (env MQTT_PORT, default 1883).")
    String mqttPort;

    @Option(names = "--mongo-port", description = "Embedded store port (env MONGO_PORT, default 27017).")
    String mongoPort;

    @Option(names = "--ingest-group", description = "Ingest shared-subscription group (env INGEST_GROUP, default ims-ingest).")
    String ingestGroup;

    @Option(names = "--bind-address", description = "Address the embedded broker and store and the portal listen on: 0.0.0.0"
            + " opens them to the network (env IMS_BIND_ADDRESS, default 127.0.0.1: this machine only).")
    String bindAddress;

    @Option(names = "--mqtt-ca-file", description = "CA certificate (PEM) to trust for an ssl:// broker (env MQTT_CA_FILE,"
            + " default the JDK's trust store; the local stack's is IMS_DATA_DIR/tls/ca.pem).")
    String mqttCaFile;

    @Option(names = "--mqtt-cert-file", description = "Client certificate (PEM) to present to an ssl:// broker (env MQTT_CERT_FILE).")
    String mqttCertFile;

    @Option(names = "--mqtt-key-file", description = "The client certificate's private key, PKCS#8 PEM (env MQTT_KEY_FILE).")
    String mqttKeyFile;

    @Option(names = "--mqtt-tls-port", description = "Embedded broker TLS port (env MQTT_TLS_PORT, default 8883, 0 = any free port).")
    String mqttTlsPort;

    /** The options given, keyed by their environment variable's name. */
    public Map<String, String> overrides() {
        Map<String, String> m = new HashMap<>();
        m.put(ImsSettings.MQTT_URL, mqttUrl);
        m.put(ImsSettings.MQTT_USERNAME, mqttUsername);
        m.put(ImsSettings.MQTT_PASSWORD, mqttPassword);
        m.put(ImsSettings.MONGO_URI, mongoUri);
        m.put(ImsSettings.MONGO_DATABASE, mongoDatabase);
        m.put(ImsSettings.HTTP_PORT, httpPort);
        m.put(ImsSettings.TOPIC_PREFIX, topicPrefix);
        m.put(ImsSettings.TIME_ZONE, timeZone);
        m.put(ImsSettings.IMS_DATA_DIR, dataDir);
        m.put(ImsSettings.MQTT_PORT, mqttPort);
        m.put(ImsSettings.MONGO_PORT, mongoPort);
        m.put(ImsSettings.INGEST_GROUP, ingestGroup);
        m.put(ImsSettings.IMS_BIND_ADDRESS, bindAddress);
        m.put(ImsSettings.MQTT_CA_FILE, mqttCaFile);
        m.put(ImsSettings.MQTT_CERT_FILE, mqttCertFile);
        m.put(ImsSettings.MQTT_KEY_FILE, mqttKeyFile);
        m.put(ImsSettings.MQTT_TLS_PORT, mqttTlsPort);
        return m;
    }

    /** Settings from the environment with these options on top. */
    public ImsSettings settings(Map<String, String> environment) {
        return ImsSettings.load(environment, overrides());
    }
}
