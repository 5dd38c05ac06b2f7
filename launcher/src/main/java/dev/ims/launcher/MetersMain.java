package dev.ims.launcher;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.ims.embedded.broker.BrokerTls;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.LogConfig;
import dev.ims.model.security.BrokerAccounts;
import dev.ims.portal.device.BrokerAccountsChoice;
import dev.ims.portal.device.DeviceException;
import dev.ims.portal.device.DeviceRegistry;
import dev.ims.portal.device.Provisioned;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./ims meters}: the register of enrolled meters, for sites that cannot reach the portal and for operators.
 * It writes the store ({@code MONGO_URI}, or the local stack's embedded store on {@code MONGO_PORT} while {@code ./ims}
 * runs), and with {@code MQTT_URL} the broker's accounts ({@code MQTT_ACCOUNTS}); the running portal carries a
 * decommission out on the broker within seconds (its revocation sweep).
 * <ul>
 *   <li>{@code provision [--meter-id ID]}: enrols a meter and prints its ID, broker secret and claim code, once;
 *   <li>{@code decommission ID --reason TEXT}: its credential stops working, its session is closed, consumers stop
 *       seeing it, its history stays;
 *   <li>{@code certificate ID [--days N] [--out DIR]}: writes {@code ID.crt.pem} and {@code ID.key.pem} (0600), a client
 *       certificate for an enrolled, active meter signed by the local stack's CA ({@code IMS_DATA_DIR/tls}): the meter then
 *       connects to the TLS listener with {@code MQTT_CERT_FILE}/{@code MQTT_KEY_FILE} and no password.
 * </ul>
 */
@Command(name = "ims meters", mixinStandardHelpOptions = true, subcommands = {MetersMain.Provision.class, MetersMain.Decommission.class,
        MetersMain.Certificate.class},
        description = "Provisions and decommissions meters in the register of enrolled meters, and issues their client certificates.")
public final class MetersMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-launcher.xml");
    }

    private static final long TIMEOUT_SECONDS = 30;

    @Mixin
    ImsOptions options;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** The environment the settings come from; tests replace it. */
    Map<String, String> environment = System.getenv();

    public static void main(String[] args) {
        System.exit(run(new MetersMain(), args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    /** The store: {@code MONGO_URI}, else the local stack's embedded store on this machine. */
    private String mongoUri(ImsSettings settings) {
        return settings.mongoUri().orElse("mongodb://127.0.0.1:" + settings.mongoPort());
    }

    private <T> T withRegistry(RegistryCall<T> call) throws Exception {
        ImsSettings settings = options.settings(environment);
        // With the embedded broker nothing is to be done on the broker (it reads the register); with MQTT_URL, e.g. a
        // Mosquitto with dynamic security, a provisioned meter's account is created there too.
        BrokerAccounts accounts = settings.mqttUrl().isPresent() ? BrokerAccountsChoice.open(settings, environment) : BrokerAccounts.STORE_BACKED;
        try (MongoClient mongo = MongoClients.create(mongoUri(settings))) {
            DeviceRegistry registry = new DeviceRegistry(mongo.getDatabase(settings.mongoDatabase()), accounts);
            return call.apply(registry);
        } finally {
            if (accounts instanceof AutoCloseable c) {
                c.close();
            }
        }
    }

    @FunctionalInterface
    private interface RegistryCall<T> {
        T apply(DeviceRegistry registry) throws Exception;
    }

    private static String who() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }

    @Command(name = "provision", description = "Enrols a meter and prints its ID, broker secret and claim code (shown once).")
    static final class Provision implements Callable<Integer> {
        @CommandLine.ParentCommand
        MetersMain parent;

        @Option(names = "--meter-id", description = "The meter's ID (default: a new one).")
        String meterId;

        @Override
        public Integer call() throws Exception {
            Provisioned p = parent.withRegistry(r -> r.provision(meterId, who()).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            PrintWriter out = parent.spec.commandLine().getOut();
            out.println("meter ID:     " + p.meterId() + "   (its MQTT username and client ID)");
            out.println("secret:       " + p.secret() + "   (its MQTT password; shown once, only its hash is stored)");
            out.println("claim code:   " + p.claimCode() + "   (for the consumer, on the meter's label)");
            out.flush();
            return 0;
        }
    }

    @Command(name = "decommission", description = "Revokes a meter's credential and hides it from consumers; its history stays.")
    static final class Decommission implements Callable<Integer> {
        @CommandLine.ParentCommand
        MetersMain parent;

        @Parameters(paramLabel = "METER_ID")
        String meterId;

        @Option(names = "--reason", required = true, description = "Why (kept in the audit trail).")
        String reason;

        @Override
        public Integer call() throws Exception {
            parent.withRegistry(r -> r.decommission(meterId, who(), reason).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            PrintWriter out = parent.spec.commandLine().getOut();
            out.println("Meter " + meterId + " decommissioned: the running portal closes its broker session within seconds.");
            out.flush();
            return 0;
        }
    }

    @Command(name = "certificate", description = "Writes METER_ID.crt.pem and METER_ID.key.pem (0600): a client certificate for an"
            + " enrolled meter, signed by the local CA in IMS_DATA_DIR/tls; the meter uses them as MQTT_CERT_FILE and MQTT_KEY_FILE.")
    static final class Certificate implements Callable<Integer> {
        @CommandLine.ParentCommand
        MetersMain parent;

        @Parameters(paramLabel = "METER_ID")
        String meterId;

        @Option(names = "--days", defaultValue = "365", description = "Days the certificate is valid (default 365).")
        int days;

        @Option(names = "--out", defaultValue = ".", description = "Folder to write the two files to (default: the current one).")
        java.nio.file.Path out;

        @Override
        public Integer call() throws Exception {
            if (days < 1) {
                throw new CommandLine.ParameterException(parent.spec.commandLine(), "--days must be at least 1");
            }
            ImsSettings settings = parent.options.settings(parent.environment);
            boolean active = parent.withRegistry(r -> r.lookup(meterId).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .isPresent();
            if (!active) {
                throw new DeviceException(DeviceException.Kind.NOT_FOUND, "meter " + meterId + " is not enrolled or is decommissioned:"
                        + " provision it first (./ims meters provision --meter-id " + meterId + ")");
            }
            BrokerTls.IssuedCertificate issued = BrokerTls.issueWithCaIn(LocalStack.tlsDir(settings), meterId, java.time.Duration.ofDays(days));
            PrivateFiles.createDirectories(out);
            java.nio.file.Path cert = out.resolve(meterId + ".crt.pem");
            java.nio.file.Path key = out.resolve(meterId + ".key.pem");
            PrivateFiles.writeString(key, issued.privateKeyPem());
            PrivateFiles.writeString(cert, issued.certificatePem());
            PrintWriter w = parent.spec.commandLine().getOut();
            w.println("certificate:  " + cert.toAbsolutePath().normalize() + "   (MQTT_CERT_FILE; valid " + days + " days)");
            w.println("key:          " + key.toAbsolutePath().normalize() + "   (MQTT_KEY_FILE; secret, 0600)");
            w.println("CA:           " + LocalStack.tlsDir(settings).resolve(BrokerTls.CA_FILE).toAbsolutePath().normalize()
                    + "   (MQTT_CA_FILE)");
            w.flush();
            return 0;
        }
    }

    /** Runs it; a refused operation or an unreachable store is one line (exit code 1), not a stack trace. */
    static int run(MetersMain main, String... args) {
        return run(main, null, args);
    }

    /** As {@link #run(MetersMain, String...)}, printing to {@code out} (and its errors too) when not null. */
    static int run(MetersMain main, PrintWriter out, String... args) {
        CommandLine cl = new CommandLine(main);
        if (out != null) {
            cl.setOut(out);
            cl.setErr(out);
        }
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            Throwable t = e;
            while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
                t = t.getCause();
            }
            if (t instanceof DeviceException || t instanceof dev.ims.model.config.ConfigException || t instanceof com.mongodb.MongoException || t instanceof java.util.concurrent.TimeoutException) {
                line.getErr().println("Refused: " + t.getMessage());
                return 1;
            }
            throw e;
        });
        return cl.execute(args);
    }
}
