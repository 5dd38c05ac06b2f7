package dev.ims.embedded.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import dev.ims.embedded.EmbeddedStartException;
import dev.ims.embedded.FreePorts;
import dev.ims.model.config.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HiveMQ CE running inside this JVM. Sessions, retained and queued messages are persisted in files
 * under the data folder, so a persistent session (clean start false) and what was queued for it survive
 * a restart. Start and stop block; an instance is used from one thread at a time.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final long START_TIMEOUT_SECONDS = 90;

    private static final String LOGBACK_XML = """
            <configuration>
              <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %-24logger{0} %msg%n</pattern></encoder>
              </appender>
              <logger name="dev.ims" level="INFO"/>
              <logger name="de.bwaldvogel" level="ERROR"/>
              <root level="WARN"><appender-ref ref="CONSOLE"/></root>
            </configuration>
            """;

    /** Unacknowledged messages the broker sends one subscriber at most (the client's receive maximum may lower it). */
    public static final int MAX_IN_FLIGHT = 1000;

    private final EmbeddedHiveMQ hivemq;
    private final int port;
    private final String urlHost;
    private final BrokerSecurityExtension security;
    private final int tlsPort;
    private final BrokerTls tls;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, int port, String urlHost, BrokerSecurityExtension security, int tlsPort, BrokerTls tls) {
        this.hivemq = hivemq;
        this.security = security;
        this.port = port;
        this.urlHost = urlHost;
        this.tlsPort = tlsPort;
        this.tls = tls;
    }

    /** @throws EmbeddedStartException when the broker does not come up (e.g. the port is taken) */
    public static EmbeddedBroker start(EmbeddedBrokerOptions options) {
        int port = FreePorts.resolve(options.port());
        int tlsPort = options.tls().map(t -> FreePorts.resolve(t.port())).orElse(-1);
        BrokerTls tls = null;
        Path root = options.dataDir().toAbsolutePath();
        EmbeddedHiveMQ hivemq = null;
        BrokerSecurityExtension limits;
        try {
            // Sessions and queued readings are data: the whole folder is the account's own (0700/0600), an
            // older version's wider folder included.
            PrivateFiles.createDirectories(root);
            PrivateFiles.restrictTree(root);
            Path conf = PrivateFiles.createDirectories(root.resolve("conf"));
            Path data = PrivateFiles.createDirectories(root.resolve("data"));
            Path extensions = PrivateFiles.createDirectories(root.resolve("extensions"));
            String tlsListener = "";
            if (options.tls().isPresent()) {
                tls = BrokerTls.open(options.tls().get().settings(), options.bindAddress());
                tlsListener = tlsListenerXml(options.bindAddress().host(), tlsPort, tls);
            }
            limits = new BrokerSecurityExtension(ClientPolicy.of(options), options.security(), tls == null ? List.of() : tls.trusted(),
                    options.sysInterval());
            // 0600: with TLS it holds the key stores' passwords.
            PrivateFiles.writeString(conf.resolve("config.xml"), configXml(options.bindAddress().host(), port, options.maxQueuedMessages(),
                    options.maxPacketSize()).replace("    </listeners>", tlsListener + "    </listeners>"));
            // HiveMQ (re)configures the process-wide logback from this file; keep it as quiet as ours.
            PrivateFiles.writeString(conf.resolve("logback.xml"), LOGBACK_XML);
            // HiveMQ CE sends a subscriber at most 50 unacknowledged messages (an internal constant, not in
            // config.xml). A consumer that acknowledges after its database write, as the ingest does, is then
            // bound to 50 messages per write: measured ~300 readings/s. 1000 matches mosquitto.conf's
            // max_inflight_messages. Process-wide, and internal API of the pinned HiveMQ CE version.
            com.hivemq.configuration.service.InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = MAX_IN_FLIGHT;
            hivemq = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(extensions)
                    .withEmbeddedExtension(limits.embedded())
                    .build();
            hivemq.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!limits.started()) {
                throw new IllegalStateException("the security extension did not start (see HiveMQ's log): refusing to run without it");
            }
            // HiveMQ's persistence (RocksDB, Xodus) creates folders and files with the umask's mode at start;
            // tighten them. What it creates later while running is inside these 0700 folders.
            PrivateFiles.restrictTree(root);
        } catch (IOException e) {
            closeQuietly(hivemq);
            throw new EmbeddedStartException("embedded broker cannot use " + root + ": " + e.getMessage(), e);
        } catch (Exception e) {
            closeQuietly(hivemq);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new EmbeddedStartException("embedded broker did not start on " + options.bindAddress() + ":" + port + ": " + e, e);
        }
        LOG.info("Embedded MQTT broker (HiveMQ CE) listening on {}:{} ({}); identities required; packets up to {} bytes; clients"
                + " other than the ingest get a session expiry of {} s and {} queued messages at most", options.bindAddress(), port,
                options.bindAddress().reach(), options.maxPacketSize(), options.maxSessionExpiry().toSeconds(), options.maxClientQueue());
        if (tls != null) {
            LOG.info("Embedded MQTT broker: TLS on {}:{} (TLS 1.2/1.3; client certificates of its CA accepted as identities; CA {})",
                    options.bindAddress(), tlsPort, tls.caFile());
        }
        return new EmbeddedBroker(hivemq, port, options.bindAddress().urlHost(), limits, tlsPort, tls);
    }

    /**
     * The broker's configuration. The queue limit is the point: HiveMQ CE queues 1000 QoS 1 messages per
     * client and then discards; the ingest acknowledges only stored readings, so when it falls behind the
     * messages must wait here, not vanish. The queue size and the unlimited session expiry here are the
     * ingest's; {@link BrokerLimitsExtension} lowers both for every other client. The packet size limit
     * holds for everyone (HiveMQ's default is 256 MB).
     */
    static String configXml(String bindAddress, int port, long maxQueuedMessages, int maxPacketSize) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard</strategy>
                        </queued-messages>
                        <session-expiry>
                            <max-interval>4294967295</max-interval>
                        </session-expiry>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                    </mqtt>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, bindAddress, maxQueuedMessages, maxPacketSize);
    }

    /**
     * The TLS listener's {@code <tls-tcp-listener>}: the broker's PKCS#12 key store, the CA as trust store for client
     * certificates, which are optional ({@code OPTIONAL}: a client without one authenticates with its password; one
     * that presents a certificate the CA did not sign fails the handshake).
     */
    static String tlsListenerXml(String bindAddress, int port, BrokerTls tls) {
        return """
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <tls>
                                <protocols>
                                    <protocol>TLSv1.3</protocol>
                                    <protocol>TLSv1.2</protocol>
                                </protocols>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                                <truststore>
                                    <path>%s</path>
                                    <password>%s</password>
                                </truststore>
                                <client-authentication-mode>OPTIONAL</client-authentication-mode>
                            </tls>
                        </tls-tcp-listener>
                """.formatted(port, bindAddress, xml(tls.keyStore().toString()), tls.keyStorePassword(), tls.keyStorePassword(),
                xml(tls.trustStore().toString()), tls.trustStorePassword());
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    public int port() {
        return port;
    }

    /** The TLS listener's port, or -1 without one. */
    public int tlsPort() {
        return tlsPort;
    }

    /**
     * The TLS URL clients on this machine use ({@code ssl://127.0.0.1:8883}; that address is in the broker's generated
     * certificate).
     *
     * @throws IllegalStateException without a TLS listener
     */
    public String tlsUrl() {
        if (tls == null) {
            throw new IllegalStateException("this broker has no TLS listener");
        }
        return "ssl://" + urlHost + ":" + tlsPort;
    }

    /** The broker's TLS material (its CA, to trust and to issue client certificates), if it has a TLS listener. */
    public java.util.Optional<BrokerTls> tls() {
        return java.util.Optional.ofNullable(tls);
    }

    /** The URL clients on this machine use: the bound address, or {@code tcp://127.0.0.1:port} when bound to every interface. */
    public String url() {
        return "tcp://" + urlHost + ":" + port;
    }

    /** What the broker refused since it started. */
    public Refusals refusals() {
        return security.refusals();
    }

    /**
     * Closes {@code clientId}'s connection, if one is open (its credential was just revoked: the directory no
     * longer proves it, so it cannot come back). Completes with whether a connection was open.
     */
    public CompletableFuture<Boolean> disconnect(String clientId) {
        return security.disconnect(clientId);
    }

    /** Stops the broker and waits for it; persisted sessions stay on disk. */
    @Override
    public void close() {
        try {
            hivemq.stop().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Embedded broker did not stop cleanly: {}", e.toString());
        } finally {
            closeQuietly(hivemq);
        }
        LOG.info("Embedded MQTT broker stopped");
    }

    private static void closeQuietly(EmbeddedHiveMQ hivemq) {
        if (hivemq != null) {
            try {
                hivemq.close();
            } catch (Exception ignored) {
                // already failing or stopping; nothing more to release
            }
        }
    }
}
