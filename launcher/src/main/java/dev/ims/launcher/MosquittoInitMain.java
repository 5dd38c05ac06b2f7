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

    @Option(names = "--upgrade", description = "Bring an existing dynamic-security.json to this version's rights, keeping every"
            + " account: each meter's and service's role gets today's ACLs (e.g. the backlog topic, the monitor's $SYS), missing"
            + " service identities are added; the old file is kept beside it (.bak). Stop Mosquitto first: it rewrites the file"
            + " from memory.")
    boolean upgrade;

    /** The environment the settings come from; tests replace it. */
    Map<String, String> environment = System.getenv();

    public static void main(String[] args) {
        System.exit(new CommandLine(new MosquittoInitMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ImsSettings settings = options.settings(environment);
        Path file = dir.resolve("dynamic-security.json");
        if (upgrade) {
            if (force) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--upgrade keeps the accounts, --force throws them away: one or the other");
            }
            return upgrade(settings, file);
        }
        if (Files.exists(file) && !force) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + " exists already (it holds the meters' accounts):"
                    + " --force replaces it");
        }
        List<String> ingestIdentities = ingestIdentities(settings);
        List<String> portalNames = portalNames();
        List<DynsecConfig.ServiceClient> services = serviceClients(settings, java.util.Set.of());
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

    private List<String> ingestIdentities(ImsSettings settings) {
        List<String> out = new ArrayList<>();
        for (String name : ingests.isEmpty() ? List.of(settings.ingestGroup() + "-local") : ingests) {
            out.add(name);
            out.add(IngestSettings.backlogIdentity(name));
        }
        return out;
    }

    private List<String> portalNames() {
        return portals.isEmpty() ? List.of(CommandPublisher.PORTAL_IDENTITY) : portals;
    }

    /**
     * Every service's client (each ingest instance's two identities, each portal's, the broker monitor's: {@code $SYS/#}
     * only) except those named in {@code skip}, with its credential from (or newly written to) {@code IMS_DATA_DIR/identities}.
     */
    private List<DynsecConfig.ServiceClient> serviceClients(ImsSettings settings, java.util.Set<String> skip) {
        Map<String, Role> wanted = new java.util.LinkedHashMap<>();
        ingestIdentities(settings).forEach(n -> wanted.put(n, Role.INGEST));
        portalNames().forEach(n -> wanted.put(n, Role.PORTAL));
        wanted.put(BrokerMonitor.MONITOR_IDENTITY, Role.MONITOR);
        List<DynsecConfig.ServiceClient> out = new ArrayList<>();
        wanted.forEach((name, role) -> {
            if (!skip.contains(name)) {
                out.add(new DynsecConfig.ServiceClient(name, ServiceCredentials.loadOrCreate(settings.dataDir(), name).password(), role));
            }
        });
        return out;
    }

    private int upgrade(ImsSettings settings, Path file) throws java.io.IOException {
        if (!Files.exists(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + " does not exist: run without --upgrade to write one");
        }
        com.fasterxml.jackson.databind.JsonNode read;
        try {
            read = dev.ims.model.json.Json.mapper().readTree(file.toFile());
        } catch (java.io.IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + " is not readable JSON: " + e.getMessage());
        }
        if (!(read instanceof com.fasterxml.jackson.databind.node.ObjectNode existing)) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + " is not a dynamic-security file");
        }
        java.util.Set<String> present = new java.util.HashSet<>();
        existing.path("clients").forEach(c -> present.add(c.path("username").asText()));
        DynsecConfig.Upgrade result;
        try {
            result = new DynsecConfig(new BrokerRights(new Topics(settings.topicPrefix()), settings.ingestGroup()))
                    .upgrade(existing, serviceClients(settings, present));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!result.changed()) {
            out.println(file.toAbsolutePath().normalize() + " already has this version's rights and identities: unchanged.");
            out.flush();
            return 0;
        }
        Path backup = file.resolveSibling(file.getFileName() + "." + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now()) + ".bak");
        dev.ims.model.config.PrivateFiles.writeString(backup, Files.readString(file));
        dev.ims.model.config.PrivateFiles.writeString(file,
                dev.ims.model.json.Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result.file()) + "\n");
        long meterRoles = result.rolesUpdated().stream().filter(r -> r.startsWith(DynsecConfig.METER_ROLE_PREFIX)).count();
        out.println("Upgraded " + file.toAbsolutePath().normalize() + " (the previous file: " + backup.getFileName() + "): rights of "
                + meterRoles + " meter(s) and " + (result.rolesUpdated().size() - meterRoles) + " service role(s) set to this version's; "
                + (result.clientsAdded().isEmpty() ? "no identity missing" : "identities added: " + String.join(", ", result.clientsAdded())
                        + " (credentials in " + settings.dataDir().resolve(ServiceCredentials.FOLDER).toAbsolutePath().normalize() + ")")
                + ". Start Mosquitto again.");
        out.flush();
        return 0;
    }
}
