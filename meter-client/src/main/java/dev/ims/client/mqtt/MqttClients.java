package dev.ims.client.mqtt;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.security.Credential;
import dev.ims.model.security.Pem;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One way to build a HiveMQ MQTT 5 client for the project's broker: endpoint, TLS for {@code ssl://} ({@link #sslConfig}), the
 * client's own identity (its credential's username is also its client ID: the brokers refuse any other), and
 * automatic reconnect with capped exponential backoff that stops for good once the owner is closed.
 */
public final class MqttClients {

    private MqttClients() {}

    /**
     * @param closed true once the client's owner is closed: HiveMQ client 1.4.2 refuses {@code disconnect()}
     *     while it is reconnecting (hivemq-mqtt-client#675), so without this a closed client would come
     *     back and take its client ID over from a successor
     * @param credential the client's identity; with a client certificate ({@code MQTT_CERT_FILE}, {@code ssl://} only) its
     *     password may be empty, and then only the username is sent
     * @throws ConfigException when the TLS files cannot be used ({@link #sslConfig})
     */
    public static Mqtt5ClientBuilder builder(ImsSettings settings, MqttEndpoint endpoint, Credential credential, Duration firstRetry,
            Duration maxRetry, BooleanSupplier closed) {
        Mqtt5ClientBuilder builder = Mqtt5Client.builder()
                .identifier(credential.username())
                .serverHost(endpoint.host())
                .serverPort(endpoint.port())
                .automaticReconnect()
                .initialDelay(firstRetry.toMillis(), TimeUnit.MILLISECONDS)
                .maxDelay(maxRetry.toMillis(), TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .addDisconnectedListener(c -> {
                    if (closed.getAsBoolean()) {
                        c.getReconnector().reconnect(false);
                    }
                });
        boolean clientCertificate = false;
        if (endpoint.tls()) {
            builder = builder.sslConfig(sslConfig(settings));
            clientCertificate = settings.mqttCertFile() != null;
        }
        if (clientCertificate && credential.password().isEmpty()) {
            // The certificate proves the identity; the username only says which (the broker checks it equals the CN).
            return builder.simpleAuth().username(credential.username()).applySimpleAuth();
        }
        return builder.simpleAuth()
                .username(credential.username())
                .password(credential.password().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth();
    }

    /**
     * TLS for an {@code ssl://} endpoint: TLS 1.3 or 1.2; the server must present a certificate that chains to
     * {@code MQTT_CA_FILE} (only that CA; without it the JDK's trust store) and names the host the client connects to:
     * the HiveMQ client verifies the host name whenever no {@code HostnameVerifier} is set (1.4.2: endpoint
     * identification {@code HTTPS}), which this never sets. With {@code MQTT_CERT_FILE} and {@code MQTT_KEY_FILE} the
     * client presents that certificate. Reads the files once, here.
     *
     * @throws ConfigException when a file is unreadable or holds no usable certificate or key (the message names the
     *     file and never contains the key)
     */
    public static MqttClientSslConfig sslConfig(ImsSettings settings) {
        MqttClientSslConfigBuilder ssl = MqttClientSslConfig.builder().protocols(List.of("TLSv1.3", "TLSv1.2"));
        try {
            if (settings.mqttCaFile() != null) {
                List<X509Certificate> cas = Pem.readCertificates(settings.mqttCaFile(), ImsSettings.MQTT_CA_FILE);
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    trust.setCertificateEntry("ca-" + i, cas.get(i));
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                ssl = ssl.trustManagerFactory(tmf);
            }
            if (settings.mqttCertFile() != null) {
                List<X509Certificate> chain = Pem.readCertificates(settings.mqttCertFile(), ImsSettings.MQTT_CERT_FILE);
                PrivateKey key = Pem.readPrivateKey(settings.mqttKeyFile(), ImsSettings.MQTT_KEY_FILE);
                char[] password = new char[0];
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", key, password, chain.toArray(X509Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
                ssl = ssl.keyManagerFactory(kmf);
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("cannot use the TLS files (" + ImsSettings.MQTT_CA_FILE + "=" + settings.mqttCaFile() + ", "
                    + ImsSettings.MQTT_CERT_FILE + "=" + settings.mqttCertFile() + "): " + e.getMessage());
        }
        return ssl.build();
    }
}
