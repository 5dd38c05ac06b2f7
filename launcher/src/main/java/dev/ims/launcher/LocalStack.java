package dev.ims.launcher;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.ims.agent.Fleet;
import dev.ims.client.relay.RelayRules;
import dev.ims.embedded.broker.BrokerTls;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.ingest.IngestService;
import dev.ims.ingest.IngestLimits;
import dev.ims.ingest.IngestSettings;
import dev.ims.model.config.BindAddress;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.security.BrokerAccounts;
import dev.ims.model.security.BrokerRights;
import dev.ims.portal.device.BrokerAccountsChoice;
import dev.ims.portal.device.DeviceRegistry;
import dev.ims.model.security.Credential;
import dev.ims.model.security.Identity;
import dev.ims.model.security.IdentityDirectory;
import dev.ims.model.security.InMemoryDirectory;
import dev.ims.model.security.Role;
import dev.ims.model.security.ServiceCredentials;
import dev.ims.model.topic.Topics;
import dev.ims.portal.command.CommandPublisher;
import dev.ims.embedded.broker.BrokerSecurity;
import dev.ims.portal.Portal;
import dev.ims.portal.broker.BrokerMonitor;
import dev.ims.portal.PortalSettings;
import dev.ims.portal.command.SigningKeys;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything in one JVM, started in dependency order and stopped in reverse: the portal's command signing key
 * (created at the first start), broker and store (embedded unless configured), ingest, portal, fleet (trusting
 * the portal's key set). Every part talks to the others over real sockets through the
 * real clients, exactly as when they run as separate processes.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    public static final int DEFAULT_FLEET_SIZE = 20;
    public static final int DEFAULT_HISTORY_DAYS = 30;
    public static final int DEFAULT_INTERVAL_SECONDS = 10;
    private static final long START_TIMEOUT_SECONDS = 120;

    /**
     * The launcher's own choices: how large a simulated fleet, with how much history.
     *
     * @param minSwitchInterval the least time between two switches of a simulated meter's relay
     */
    public record Options(int fleetSize, int historyDays, int intervalSeconds, Duration minSwitchInterval, IngestLimits ingestLimits) {

        /** With the production minimum interval between relay switches. */
        public Options(int fleetSize, int historyDays, int intervalSeconds) {
            this(fleetSize, historyDays, intervalSeconds, RelayRules.DEFAULT_MIN_SWITCH_INTERVAL);
        }

        /** With the ingest's default plausibility and rejection limits. */
        public Options(int fleetSize, int historyDays, int intervalSeconds, Duration minSwitchInterval) {
            this(fleetSize, historyDays, intervalSeconds, minSwitchInterval, IngestLimits.DEFAULTS);
        }

        /** These options with the ingest's limits read from the environment ({@link IngestLimits#from}). */
        public Options withIngestLimits(IngestLimits limits) {
            return new Options(fleetSize, historyDays, intervalSeconds, minSwitchInterval, limits);
        }
    }

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private String mqttUrl;
    private String mqttTlsUrl;
    private Path caFile;
    private String mongoUri;
    private int portalPort;
    private Fleet fleet;
    private Portal portal;
    private Path commandKeySetFile;
    private BindAddress bindAddress;
    /** The enrolled meters, once the portal runs: the embedded broker authenticates meters here. */
    private volatile IdentityDirectory meterDirectory = IdentityDirectory.NOBODY;
    private String provisioningKey;
    /** What of this stack listens on {@link #bindAddress}, in start order: embedded broker and store (unless configured), portal. */
    private final List<String> listening = new ArrayList<>();

    /** The list of the simulated meters' IDs and claim codes, in the fleet's folder. */
    public static final String CLAIM_CODES_FILE = "claim-codes.txt";
    /** The folder of the local CA and the broker's certificate under the data folder. */
    public static final String TLS_FOLDER = "tls";

    private LocalStack() {}

    /** @throws RuntimeException when any part fails to start; what had started is stopped again */
    public static LocalStack start(ImsSettings settings, Options options) {
        LocalStack stack = new LocalStack();
        try {
            stack.startAll(settings, options);
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("start-up failed: " + e.getMessage(), e);
        }
    }

    private void startAll(ImsSettings settings, Options options) throws Exception {
        // The data folder holds the store (staff sessions, readings), the broker's sessions and the meters'
        // claim codes: the running account's only (0700), an older version's wider folder included. Each
        // part below makes its own subfolders and files 0700/0600 (PrivateFiles).
        PrivateFiles.createDirectories(settings.dataDir());
        // The portal's command signing key first (generated at the first start), so that its public key set is in
        // place before any meter of this stack starts: the fleet reads it at its start, as does `./ims agent` with
        // the same data folder.
        Path signingKey = portalSettings(settings).commandSigningKeyFile();
        SigningKeys.loadOrCreate(signingKey);
        commandKeySetFile = SigningKeys.keySetBeside(signingKey);
        // One address for every part that listens: loopback unless IMS_BIND_ADDRESS opens the stack to the network.
        // Each part's URL below is where this machine reaches it on that address.
        bindAddress = settings.bindAddress();
        boolean embeddedBroker = settings.mqttUrl().isEmpty();
        // Each service its own broker identity, kept under the data folder (0600): created with random secrets at
        // the first start with the embedded broker; with another broker they must exist (./ims mosquitto-init writes
        // them together with Mosquitto's dynamic-security file).
        String ingestClientId = settings.ingestGroup() + "-local";
        Credential ingestIdentity = serviceIdentity(settings, ingestClientId, embeddedBroker);
        // The ingest's backlog session (history, outbox drains) has an identity of its own; an identity folder written
        // before it existed has none, and the ingest then takes the backlog through its first session (it says so).
        String backlogName = IngestSettings.backlogIdentity(ingestClientId);
        Credential backlogIdentity = embeddedBroker ? ServiceCredentials.loadOrCreate(settings.dataDir(), backlogName)
                : ServiceCredentials.load(ServiceCredentials.file(settings.dataDir(), backlogName)).orElse(null);
        Credential portalIdentity = serviceIdentity(settings, CommandPublisher.PORTAL_IDENTITY, embeddedBroker);
        // The portal's broker monitor reads $SYS/# under an identity of its own (role MONITOR: nothing else). The portal finds
        // it in the identity folder; with another broker ./ims mosquitto-init writes it (without it the monitor is off).
        Credential monitorIdentity = embeddedBroker ? ServiceCredentials.loadOrCreate(settings.dataDir(), BrokerMonitor.MONITOR_IDENTITY) : null;
        EmbeddedBroker broker = null;
        if (embeddedBroker) {
            InMemoryDirectory services = new InMemoryDirectory();
            services.add(new Identity(Role.INGEST, ingestClientId), ingestIdentity.password());
            services.add(new Identity(Role.INGEST, backlogName), backlogIdentity.password());
            services.add(new Identity(Role.PORTAL, portalIdentity.username()), portalIdentity.password());
            services.add(new Identity(Role.MONITOR, monitorIdentity.username()), monitorIdentity.password());
            // Meters are the portal's register of enrolled devices (in the store); until the portal is up, nobody.
            IdentityDirectory meters = new IdentityDirectory() {
                @Override
                public java.util.concurrent.CompletionStage<java.util.Optional<Identity>> authenticate(String username, String password) {
                    return meterDirectory.authenticate(username, password);
                }

                @Override
                public java.util.concurrent.CompletionStage<java.util.Optional<Identity>> lookup(String name) {
                    return meterDirectory.lookup(name);
                }
            };
            // TLS beside the plain listener, on the same address: a CA and the broker's certificate generated under
            // IMS_DATA_DIR/tls at the first start; meters trust ca.pem (MQTT_CA_FILE) and may log in with a client
            // certificate it signed (./ims meters certificate). The stack's own services keep the plain listener.
            broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(settings.mqttPort(), settings.dataDir().resolve("broker"))
                    .withBindAddress(bindAddress)
                    .withSecurity(new BrokerSecurity(new BrokerRights(new Topics(settings.topicPrefix()), settings.ingestGroup()), services,
                            meters))
                    .withTls(settings.mqttTlsPort(), BrokerTls.Settings.generated(tlsDir(settings), networkNames(bindAddress))));
            started.push(broker);
            listening.add("broker");
            mqttTlsUrl = broker.tlsUrl();
            caFile = broker.tls().orElseThrow().caFile();
            settings = settings.withMqttUrl(broker.url());
        }
        if (settings.mongoUri().isEmpty()) {
            EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(settings.mongoPort(), settings.dataDir().resolve("store"))
                    .withBindAddress(bindAddress));
            started.push(store);
            listening.add("store");
            settings = settings.withMongoUri(store.connectionString());
        }
        mqttUrl = settings.mqttUrl().orElseThrow();
        mongoUri = settings.mongoUri().orElseThrow();

        IngestSettings ingestSettings = IngestSettings.of(settings.withMqttCredential(ingestIdentity), ingestClientId)
                .with(options.ingestLimits()).withBacklog(backlogIdentity);
        // With the embedded broker the stack's ingest is the only one: a plain subscription, whose in-flight
        // messages HiveMQ CE keeps across a crash of the process (a shared one's it was measured losing).
        // One registry for the whole process: the portal serves it on /metrics.
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = Portal.newRegistry();
        if (broker != null) {
            bindRefusals(broker, registry);
        }
        IngestService ingest = new IngestService(embeddedBroker ? ingestSettings.alone() : ingestSettings).metrics(registry);
        ingest.start().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        started.push(() -> ingest.stop().toCompletableFuture().get(30, TimeUnit.SECONDS));

        MongoClient mongo = MongoClients.create(mongoUri);
        started.push(mongo::close);
        Vertx vertx = Vertx.vertx();
        started.push(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        portal = new Portal(portalSettings(settings.withMqttCredential(portalIdentity)), mongo.getDatabase(settings.mongoDatabase()), vertx,
                registry);
        if (broker != null) {
            // The broker reads enrolled meters from the store itself; revoking one also closes its open session here.
            portal.withBrokerAccounts(new EmbeddedBrokerAccounts(broker));
        } else {
            BrokerAccounts accounts = BrokerAccountsChoice.open(settings, System.getenv());
            if (accounts instanceof AutoCloseable closeable) {
                started.push(closeable);
            }
            portal.withBrokerAccounts(accounts);
        }
        portalPort = portal.start().toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        started.push(() -> portal.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        listening.add("portal");
        meterDirectory = portal.devices();
        provisioningKey = portal.provisioningKey();

        if (options.fleetSize() > 0) {
            Fleet.Options fleetOptions = new Fleet.Options(Duration.ofSeconds(options.intervalSeconds()), options.historyDays(),
                    Fleet.Options.DEFAULT_HISTORY_STEP, Fleet.Options.DEFAULT_FAULT_RATE).withMinSwitchInterval(options.minSwitchInterval())
                    .withCommandKeys(commandKeySetFile)
                    .withEnrolment(java.net.URI.create(portalUrl()), provisioningKey);
            List<Fleet.Member> members = Fleet.membersIn(settings.dataDir().resolve("fleet"), options.fleetSize(), settings,
                    fleetOptions, Clock.systemUTC());
            fleet = Fleet.start(members, settings, fleetOptions, Clock.systemUTC(), null)
                    .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            started.push(fleet);
            writeClaimCodes(settings.dataDir().resolve("fleet").resolve(CLAIM_CODES_FILE), members);
            LOG.info("Simulated fleet of {} meters connected", members.size());
        }
    }

    /**
     * The embedded broker's refusals as {@code ims_broker_refused_total{kind=connect|publish|subscribe}} on the portal's
     * {@code /metrics}: a rising count is someone without the right identity or rights trying.
     */
    static void bindRefusals(EmbeddedBroker broker, io.micrometer.core.instrument.MeterRegistry registry) {
        // Prometheus keeps one HELP line per metric name: one description for the three kinds.
        String help = "Packets the broker refused, by kind: connect (no, unknown or wrong credential, or another's client ID), "
                + "publish (wills included) and subscribe (outside the client's rights)";
        java.util.Map<String, java.util.function.ToDoubleFunction<EmbeddedBroker>> kinds = new java.util.LinkedHashMap<>();
        kinds.put("connect", b -> b.refusals().connects());
        kinds.put("publish", b -> b.refusals().publishes());
        kinds.put("subscribe", b -> b.refusals().subscribes());
        kinds.forEach((kind, count) -> io.micrometer.core.instrument.FunctionCounter.builder("ims.broker.refused", broker, count)
                .tag("kind", kind).description(help).register(registry));
    }

    /**
     * A service's broker identity from its file under the data folder, created when the broker is the embedded one
     * (whose directory this stack fills); another broker must already know it.
     */
    private static Credential serviceIdentity(ImsSettings settings, String name, boolean create) {
        if (create) {
            return ServiceCredentials.loadOrCreate(settings.dataDir(), name);
        }
        return ServiceCredentials.load(ServiceCredentials.file(settings.dataDir(), name)).orElseThrow(() -> new ConfigException(
                "no broker identity for '" + name + "' in " + ServiceCredentials.file(settings.dataDir(), name)
                        + ": with MQTT_URL set, create the services' identities and the broker's accounts first (./ims mosquitto-init)"));
    }

    /** The fleet provisioning key: what a new meter shows the portal to enrol ({@code ./ims agent} reads it from the data folder). */
    public String provisioningKey() {
        return provisioningKey;
    }

    /** The register of enrolled meters (the portal's), e.g. to provision a meter as {@code ./ims meters provision} does. */
    public DeviceRegistry devices() {
        return portal.devices();
    }

    /** The public keys of the portal's command signing key(s): what a meter needs to obey its relay commands. */
    public Path commandKeySetFile() {
        return commandKeySetFile;
    }

    /** Where a browser on this machine opens the portal: {@code http://127.0.0.1:8080/} by default. */
    public String portalUrl() {
        return Portal.localUrl(bindAddress, portalPort);
    }

    /** The address the embedded broker and store and the portal listen on ({@code IMS_BIND_ADDRESS}). */
    public BindAddress bindAddress() {
        return bindAddress;
    }

    /** The parts of this stack that listen on {@link #bindAddress()}: {@code broker}, {@code store} (when embedded), {@code portal}. */
    public List<String> listening() {
        return List.copyOf(listening);
    }

    public int portalPort() {
        return portalPort;
    }

    public String mqttUrl() {
        return mqttUrl;
    }

    /** The embedded broker's TLS URL ({@code ssl://127.0.0.1:8883}), or null with another broker ({@code MQTT_URL}). */
    public String mqttTlsUrl() {
        return mqttTlsUrl;
    }

    /** The CA certificate meters trust for {@link #mqttTlsUrl()} ({@code MQTT_CA_FILE}), or null with another broker. */
    public Path caFile() {
        return caFile;
    }

    /** Where the local stack's CA and broker certificate are: {@code IMS_DATA_DIR/tls}. */
    public static Path tlsDir(ImsSettings settings) {
        return settings.dataDir().resolve(TLS_FOLDER);
    }

    /**
     * The addresses a meter elsewhere may use when the broker listens on every interface: this machine's non-loopback
     * interface addresses (the broker's certificate names them besides loopback and the host name). None otherwise.
     */
    static String[] networkNames(BindAddress bind) {
        if (!bind.isWildcard()) {
            return new String[0];
        }
        List<String> names = new ArrayList<>();
        try {
            for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp() && !nif.isLoopback()) {
                    for (java.net.InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                        if (!a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
                            names.add(a.getHostAddress().replaceAll("%.*$", ""));
                        }
                    }
                }
            }
        } catch (java.net.SocketException e) {
            LOG.warn("Cannot list this machine's addresses for the broker's certificate: {}", e.toString());
        }
        return names.toArray(String[]::new);
    }

    public String mongoUri() {
        return mongoUri;
    }

    /** The password generated for the first staff account ({@code admin}) at this start, or null. */
    public String generatedAdminPassword() {
        return portal == null ? null : portal.generatedAdminPassword();
    }

    /** The portal's settings from the environment; overridable so tests can use a cheaper password hash. */
    static PortalSettings portalSettings(ImsSettings settings) {
        return PortalSettings.load(settings, System.getenv());
    }

    /**
     * Writes each simulated meter's ID and claim code, as a real meter shows them on its label. The file is
     * readable only by its owner (0600, never wider even for a moment) where the file system allows.
     */
    private static void writeClaimCodes(java.nio.file.Path file, List<Fleet.Member> members) throws java.io.IOException {
        StringBuilder b = new StringBuilder("# Simulated meters: ID and claim code (link a meter to a portal account with them)\n");
        for (Fleet.Member m : members) {
            b.append(m.meter().meterId()).append(' ').append(m.meter().state().claimCode()).append('\n');
        }
        PrivateFiles.writeString(file, b);
    }

    /** The simulated fleet, or null when it runs without one. */
    public Fleet fleet() {
        return fleet;
    }

    /** Stops every part that started, newest first; a part that fails to stop does not keep the others running. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("A part did not stop cleanly: {}", e.toString());
            }
        }
    }

}
