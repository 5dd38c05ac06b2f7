package dev.ims.launcher;

import dev.ims.ingest.IngestSettings;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.LogConfig;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.Credential;
import dev.ims.model.security.DynsecConfig;
import dev.ims.model.security.Role;
import dev.ims.model.security.ServiceCredentials;
import dev.ims.model.topic.Topics;
import dev.ims.portal.broker.BrokerMonitor;
import dev.ims.portal.command.CommandPublisher;
import dev.ims.portal.device.BrokerAccountsChoice;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./ims mosquitto-init DIR}: what a real Mosquitto needs to hold the project's security model. Writes
 * {@code DIR/dynamic-security.json} (the dynamic-security plugin's file: an admin client the portal manages meters
 * with, the ingest's, portal's and broker monitor's roles and clients, every other access denied) and each identity's credential
 * under {@code IMS_DATA_DIR/identities/} ({@code 0600}), where the services (and {@code ./ims} with {@code MQTT_URL})
 * read them. Each ingest instance gets two identities: its own and {@code <name>-backlog}, its backlog session's. Meters are added at enrolment by the portal through the plugin's control topic.
 */
@Command(name = "ims mosquitto-init", mixinStandardHelpOptions = true,
        description = "Writes Mosquitto's dynamic-security file and the services' broker identities.")
public final class MosquittoInitMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-launcher.xml");
    }

    /** The identity the portal manages Mosquitto's meter accounts with. */
    public static final String ADMIN_IDENTITY = BrokerAccountsChoice.ADMIN_IDENTITY;

    @Mixin
    ImsOptions options;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "Where dynamic-security.json goes (the folder mosquitto.conf's plugin_opt_config_file names).")
    Path dir;

    @Option(names = "--ingest", paramLabel = "NAME", description = "An ingest instance's identity (= its client ID), and"
            + " NAME-backlog for its backlog session; repeat for several (default: the local stack's, {INGEST_GROUP}-local).")
    List<String> ingests = new ArrayList<>();

    @Option(names = "--portal", paramLabel = "NAME", description = "A portal instance's identity; repeat for several (default: ims-portal).")
    List<String> portals = new ArrayList<>();

    @Option(names = "--force", description = "Replace an existing dynamic-security.json (every meter's account in it is lost).")
    boolean force;

    /** The environment the settings come from; tests replace it. */
    Map<String, String> environment = System.getenv();

    public static void main(String[] args) {
        System.exit(new CommandLine(new MosquittoInitMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ImsSettings settings = options.settings(environment);
        Path file = dir.resolve("dynamic-security.json");
        if (Files.exists(file) && !force) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + " exists already (it holds the meters' accounts):"
                    + " --force replaces it");
        }
        List<String> ingestNames = ingests.isEmpty() ? List.of(settings.ingestGroup() + "-local") : ingests;
        List<String> portalNames = portals.isEmpty() ? List.of(CommandPublisher.PORTAL_IDENTITY) : portals;
        List<DynsecConfig.ServiceClient> services = new ArrayList<>();
        List<String> ingestIdentities = new ArrayList<>();
        for (String name : ingestNames) {
            ingestIdentities.add(name);
            ingestIdentities.add(IngestSettings.backlogIdentity(name));
        }
        for (String name : ingestIdentities) {
            services.add(new DynsecConfig.ServiceClient(name, ServiceCredentials.loadOrCreate(settings.dataDir(), name).password(), Role.INGEST));
        }
        for (String name : portalNames) {
            services.add(new DynsecConfig.ServiceClient(name, ServiceCredentials.loadOrCreate(settings.dataDir(), name).password(), Role.PORTAL));
        }
        // The portal's broker monitor: $SYS/# only.
        services.add(new DynsecConfig.ServiceClient(BrokerMonitor.MONITOR_IDENTITY,
                ServiceCredentials.loadOrCreate(settings.dataDir(), BrokerMonitor.MONITOR_IDENTITY).password(), Role.MONITOR));
        Credential admin = ServiceCredentials.loadOrCreate(settings.dataDir(), ADMIN_IDENTITY);
        new DynsecConfig(new BrokerRights(new Topics(settings.topicPrefix()), settings.ingestGroup())).write(file, admin, services);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Wrote " + file.toAbsolutePath().normalize() + " (give it to the mosquitto user only: chown mosquitto, mode 0600).");
        out.println("Identities in " + settings.dataDir().resolve(ServiceCredentials.FOLDER).toAbsolutePath().normalize() + ": "
                + ADMIN_IDENTITY + " (portal's account manager), " + String.join(", ", ingestIdentities) + " (ingest), "
                + String.join(", ", portalNames) + " (portal), " + BrokerMonitor.MONITOR_IDENTITY + " (portal's broker monitor: $SYS/# only).");
        out.println("Start Mosquitto with the repository's mosquitto.conf pointing plugin_opt_config_file at that file, then the"
                + " services with MQTT_URL and MQTT_ACCOUNTS=dynsec for the portal.");
        out.flush();
        return 0;
    }
}
