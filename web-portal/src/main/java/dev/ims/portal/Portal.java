package dev.ims.portal;

import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.config.BindAddress;
import dev.ims.portal.apidoc.ApiDocRoutes;
import dev.ims.portal.health.HealthRoutes;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.advice.AdviceEngine;
import dev.ims.portal.advice.AdviceRoutes;
import dev.ims.portal.advice.AdviceService;
import dev.ims.portal.advice.FleetMedian;
import dev.ims.portal.store.UsageRepository;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.circuit.CircuitRoutes;
import dev.ims.portal.circuit.CircuitService;
import dev.ims.portal.dashboard.DashboardRoutes;
import dev.ims.portal.tariff.TariffRoutes;
import dev.ims.portal.tariff.Tariffs;
import dev.ims.portal.usage.UsageService;
import dev.ims.portal.circuit.CircuitControlRoutes;
import dev.ims.portal.circuit.CircuitControlService;
import dev.ims.portal.command.CommandDelivery;
import dev.ims.portal.command.CommandPublisher;
import dev.ims.portal.command.CommandRoutes;
import dev.ims.portal.command.CommandService;
import dev.ims.portal.command.BulkCommands;
import dev.ims.portal.command.OperationsRoutes;
import dev.ims.portal.command.RelayOperations;
import dev.ims.portal.command.SigningKeys;
import dev.ims.model.command.CommandSigner;
import dev.ims.portal.alarm.AlarmService;
import dev.ims.portal.broker.BrokerMetrics;
import dev.ims.portal.broker.BrokerMonitor;
import dev.ims.portal.broker.BrokerRoutes;
import dev.ims.portal.broker.BrokerService;
import dev.ims.portal.broker.MonitorOptions;
import dev.ims.portal.broker.PipelineHistory;
import dev.ims.portal.metrics.FleetMetrics;
import dev.ims.portal.fleet.FleetEvents;
import dev.ims.portal.fleet.FleetIndex;
import dev.ims.portal.fleet.FleetLoad;
import dev.ims.portal.fleet.FleetRoutes;
import dev.ims.portal.metrics.MetricsRoutes;
import dev.ims.portal.web.HttpError;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.ims.portal.web.RequestGuard;
import dev.ims.portal.web.Responses;
import dev.ims.portal.web.Templates;
import dev.ims.portal.web.Pages;
import dev.ims.portal.account.Accounts;
import dev.ims.portal.account.AuthRoutes;
import dev.ims.portal.account.MeterClaims;
import dev.ims.portal.account.SessionGuard;
import dev.ims.portal.account.AuthLimits;
import dev.ims.portal.account.HashGate;
import dev.ims.portal.account.Passwords;
import dev.ims.portal.chart.BarChart;
import dev.ims.portal.quarantine.QuarantineRoutes;
import dev.ims.portal.quarantine.QuarantineStore;
import dev.ims.portal.web.SecurityHeaders;
import dev.ims.portal.device.DeviceRegistry;
import dev.ims.portal.device.DeviceRoutes;
import dev.ims.portal.device.ProvisioningKey;
import dev.ims.model.security.BrokerAccounts;
import java.util.List;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The portal's HTTP server. Only wires: each feature registers its own routes. */
public final class Portal {

    private static final Logger LOG = LoggerFactory.getLogger(Portal.class);

    private final PortalSettings settings;
    private final MongoDatabase db;
    private CommandPublisher publisher;
    private CommandDelivery delivery;
    private BulkCommands bulkCommands;
    private PrometheusMeterRegistry registry;
    private FleetMetrics fleetMetrics;
    private BrokerService brokerService;
    private dev.ims.portal.alarm.AlarmSweeper alarmSweeper;
    private FleetMedian fleetMedian;
    private FleetIndex fleetIndex;
    private FleetLoad fleetLoad;
    private FleetEvents fleetEvents;
    private final Vertx vertx;
    private HttpServer server;
    private volatile String generatedAdminPassword;
    private volatile DeviceRegistry devices;
    private volatile String provisioningKey;

    /** Form and JSON bodies above this many bytes are refused with 413. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    public Portal(PortalSettings settings, MongoDatabase db, Vertx vertx) {
        this(settings, db, vertx, newRegistry());
    }

    /** @param registry where the portal's gauges go and what {@code /metrics} serves (share it with an ingest in the same JVM) */
    public Portal(PortalSettings settings, MongoDatabase db, Vertx vertx, PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.settings = settings;
        this.db = db;
        this.vertx = vertx;
        this.devices = new DeviceRegistry(db, BrokerAccounts.STORE_BACKED);
    }

    /**
     * Has enrolments registered and decommissions revoked on the broker through {@code accounts} (default
     * {@link BrokerAccounts#STORE_BACKED}). Call before {@link #start()}; it replaces {@link #devices()}.
     */
    public Portal withBrokerAccounts(BrokerAccounts accounts) {
        this.devices = new DeviceRegistry(db, accounts);
        return this;
    }

    /**
     * The register of enrolled meters, also the {@link dev.ims.model.security.IdentityDirectory} of meters for a
     * broker (the launcher gives it to the embedded one). Usable before {@link #start()}.
     */
    public DeviceRegistry devices() {
        return devices;
    }

    /** The fleet provisioning key meters enrol with, read (or created) by {@link #start()}; null before. */
    public String provisioningKey() {
        return provisioningKey;
    }

    /** A Prometheus registry with the JVM's memory, GC, threads and CPU bound. */
    public static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(r);
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(r);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(r);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(r);
        return r;
    }

    /**
     * Listens on {@code IMS_BIND_ADDRESS}:{@code HTTP_PORT} (port 0: any free port; address: loopback unless set); fails when the port cannot be bound or, with a broker, when the
     * command signing key cannot be read or created.
     */
    public Future<Integer> start() {
        Clock clock = Clock.systemUTC();
        // With a broker the portal sends relay commands, every one signed: no signing key, no start.
        CommandSigner signer;
        Pages pages = new Pages(new Templates(), settings.ims().timeZone().getId(), dev.ims.portal.account.Access::pageUser);
        ApiDocRoutes apiDoc;
        try {
            apiDoc = ApiDocRoutes.load(pages);
            signer = settings.ims().mqttEndpoint().isPresent() ? SigningKeys.loadOrCreate(settings.commandSigningKeyFile()) : null;
            provisioningKey = ProvisioningKey.loadOrCreate(settings.provisioningKeyFile());
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        Router router = Router.router(vertx);
        if (settings.behindProxy()) {
            router.allowForward(io.vertx.ext.web.AllowForwardHeaders.X_FORWARD);
        }
        Tariffs tariffs = new Tariffs(db, settings.tariff(), settings.tariffCacheLife());
        UsageRepository days = new UsageRepository(db, new UsageCalendar(settings.ims().timeZone()), settings.usageCacheDays())
                .withMetrics(registry);
        UsageService usage = new UsageService(days, tariffs, settings.ims().timeZone(), clock);
        AuthLimits limits = settings.limits();
        HashGate hashes = new HashGate(vertx, limits.hashesRunning(), limits.hashesWaiting(), limits.hashWait());
        Accounts accounts = new Accounts(db, new Passwords(settings.passwordCost()), clock, hashes);
        SessionGuard sessions = new SessionGuard(accounts, settings.secureCookies());
        AuthRoutes auth = new AuthRoutes(accounts, sessions, new MeterClaims(db, hashes, limits, clock), pages, clock, limits);
        // The security headers are set in front of the router (RequestGuard), so static files have them too.
        router.route("/static/*").handler(StaticHandler.create("webroot"));
        router.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES).setHandleFileUploads(false));
        router.route().handler(ctx -> {
            ctx.put(Responses.BODY_READ, Boolean.TRUE);
            ctx.next();
        });
        MetricsRoutes metrics = new MetricsRoutes(registry, settings.metricsToken());
        metrics.registerScraper(router);
        DeviceRoutes deviceRoutes = new DeviceRoutes(devices, provisioningKey, settings.commandKeySetFile(), registry,
                DeviceRoutes.DEFAULT_FAILURES, clock);
        deviceRoutes.registerEnrolment(router);
        devices.startSweep(vertx);
        fleetIndex = new FleetIndex(db, clock, settings.fleet());
        fleetMetrics = new FleetMetrics(db, registry).withIndex(fleetIndex::entries).start(vertx);
        router.route().handler(sessions::authenticate);
        router.route().handler(FleetRoutes.touchAfterWrites(fleetIndex));
        metrics.register(router);
        new HealthRoutes(db, clock).register(router);
        auth.register(router);
        MonitorOptions monitorOptions = settings.monitor();
        BrokerMonitor brokerMonitor = null;
        if (monitorOptions.credential() != null && settings.ims().mqttEndpoint().isPresent()) {
            try {
                brokerMonitor = new BrokerMonitor(settings.ims().mqttEndpoint().get().url(), monitorOptions.credential(),
                        settings.ims().mqttCaFile(), clock);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
            BrokerMetrics.bind(brokerMonitor, registry);
            brokerMonitor.start();
        } else if (settings.ims().mqttEndpoint().isPresent()) {
            LOG.info("Broker monitor off: no monitoring identity ({} / {}, or {})", MonitorOptions.MQTT_MONITOR_USERNAME,
                    MonitorOptions.MQTT_MONITOR_PASSWORD, dev.ims.model.security.ServiceCredentials.file(settings.ims().dataDir(),
                            BrokerMonitor.MONITOR_IDENTITY));
        }
        brokerService = new BrokerService(db, brokerMonitor, new PipelineHistory(monitorOptions.sampleInterval()), clock).start(vertx);
        new BrokerRoutes(brokerService, pages).register(router);
        dev.ims.portal.alarm.AlarmStore alarmStore = new dev.ims.portal.alarm.AlarmStore(db, clock);
        alarmSweeper = new dev.ims.portal.alarm.AlarmSweeper(db, alarmStore, new dev.ims.portal.fleet.FleetMeterStates(fleetIndex),
                settings.ims().timeZone(), monitorOptions.alarmSweep(), clock)
                .withPipeline(brokerService, monitorOptions.ingestLagAlarm(), monitorOptions.droppedWindow()).start(vertx);
        new dev.ims.portal.alarm.AlarmRoutes(alarmStore, pages, settings.ims().timeZone()).register(router);
        AlarmService alarmService = new AlarmService(alarmStore);
        fleetLoad = new FleetLoad(db, fleetIndex, clock, settings.fleet().loadSample());
        fleetEvents = new FleetEvents(fleetIndex, clock, settings.fleet());
        FleetRoutes fleet = new FleetRoutes(fleetIndex, fleetLoad, settings.fleet().maxStreams() > 0 ? fleetEvents : null,
                settings.ims().timeZone(), clock);
        fleet.register(router);
        MeterRoutes meters = new MeterRoutes(db, usage, pages, settings.ims().timeZone(), alarmService).withStaffHome(fleet::staffHome);
        meters.register(router);
        publisher = settings.ims().mqttEndpoint().map(e -> new CommandPublisher(settings.ims(), e)).orElse(null);
        CommandService commands = new CommandService(db, publisher, signer, CommandService.DEFAULT_VALIDITY, clock);
        RelayOperations relayOperations = new RelayOperations(db, commands, settings.commands().approvalValidity());
        bulkCommands = new BulkCommands(db, relayOperations, settings.commands()).start(vertx);
        if (publisher != null) {
            // Queued commands go out when their meter comes online: follow the status messages before connecting.
            delivery = new CommandDelivery(vertx, commands, CommandDelivery.DEFAULT_SWEEP_INTERVAL).withApprovals(relayOperations).start(publisher);
            publisher.connect();
        }
        new CommandRoutes(relayOperations, meters).register(router);
        new OperationsRoutes(relayOperations, bulkCommands, meters, pages).register(router);
        CircuitService circuits = new CircuitService(usage);
        fleetMedian = new FleetMedian(days, usage::today).start(vertx);
        AdviceService advice = new AdviceService(usage, new AdviceEngine(), fleetMedian).withCircuits(circuits);
        CircuitControlService circuitControl = new CircuitControlService(db, commands, tariffs, settings.ims().timeZone(), clock)
                .withSavings(circuits, settings.circuitSavingDays())
                .withEstimates((meter, circuit, preset) -> advice.estimatedSaving(meter, circuit, preset, usage.today()));
        new CircuitControlRoutes(circuitControl, meters).register(router);
        new AdviceRoutes(advice, meters, usage::today).register(router);
        deviceRoutes.register(router);
        QuarantineStore quarantine = new QuarantineStore(db, clock);
        new QuarantineRoutes(quarantine, meters).register(router);
        new CircuitRoutes(circuits, circuitControl, meters, settings.ims().timeZone(), usage::today).register(router);
        new DashboardRoutes(meters, usage, advice, commands, quarantine, pages)
                .withRelayOperations(relayOperations)
                .withCircuits(circuits)
                .withCircuitControl(circuitControl)
                .register(router);
        new TariffRoutes(tariffs, pages).register(router);
        apiDoc.register(router);
        router.route().handler(ctx -> ctx.fail(HttpError.notFound("no such page or endpoint: " + ctx.request().path())));
        router.route().failureHandler(Responses::failure);
        // The meter gauges are counted from the index: counted again once it is loaded.
        return fleetIndex.start(vertx).onSuccess(i -> fleetMetrics.refresh()).compose(i -> fleetLoad.start(vertx)).map(l -> fleetEvents.start(vertx))
                .compose(e -> accounts.ensureAdmin(settings.ims().adminPassword()))
                .onSuccess(generated -> generatedAdminPassword = generated)
                .compose(v -> vertx.createHttpServer()
                .requestHandler(new RequestGuard(router, new SecurityHeaders(List.of(BarChart.cspStyleSource()))))
                .listen(settings.ims().httpPort(), settings.ims().bindAddress().host()))
                .map(s -> {
                    server = s;
                    LOG.info("Portal listening on {}:{} ({})", settings.ims().bindAddress(), s.actualPort(),
                            settings.ims().bindAddress().reach());
                    return s.actualPort();
                })
                .onFailure(e -> brokerService.close());
    }

    /** The fleet index staff calls are answered from (null before {@link #start()}); the portal's writers {@link FleetIndex#touch} it. */
    public FleetIndex fleetIndex() {
        return fleetIndex;
    }

    /**
     * The password generated for the first staff account ({@code admin}) when this start created it without
     * {@code IMS_ADMIN_PASSWORD}; null otherwise. The caller prints it once; it is never logged.
     */
    public String generatedAdminPassword() {
        return generatedAdminPassword;
    }

    /** Where a browser on this machine opens the portal listening on {@code port}: {@code http://127.0.0.1:8080/}. */
    public static String localUrl(BindAddress address, int port) {
        return "http://" + address.urlHost() + ":" + port + "/";
    }

    /** The alarm sweeper (after {@link #start()}): tests sweep at once rather than wait for its timer. */
    public dev.ims.portal.alarm.AlarmSweeper alarmSweeper() {
        return alarmSweeper;
    }

    public Future<Void> close() {
        devices.stopSweep();
        if (alarmSweeper != null) {
            alarmSweeper.stop();
        }
        if (brokerService != null) {
            brokerService.close();
        }
        if (fleetMetrics != null) {
            fleetMetrics.stop();
        }
        if (fleetMedian != null) {
            fleetMedian.stop();
        }
        if (fleetIndex != null) {
            fleetIndex.stop();
            fleetLoad.stop();
            fleetEvents.stop();
        }
        if (delivery != null) {
            delivery.stop();
        }
        if (bulkCommands != null) {
            bulkCommands.stop();
        }
        if (publisher != null) {
            publisher.close();
        }
        return server == null ? Future.succeededFuture() : server.close();
    }
}
