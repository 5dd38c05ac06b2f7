package dev.ims.model.security;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * {@link BrokerRights} for Mosquitto's dynamic-security plugin (2.0): the plugin's configuration file, and the
 * {@value #CONTROL_TOPIC} commands that enrol and revoke a meter at runtime. Pure: builds JSON, sends nothing.
 *
 * <p>What the file holds:
 * <ul>
 *   <li>default access: everything denied ({@code publishClientSend}, {@code publishClientReceive}, {@code subscribe},
 *       {@code unsubscribe}); each right is a role's ACL.
 *   <li>role {@value #ADMIN_ROLE}: publish, receive, subscribe and unsubscribe on {@code $CONTROL/dynamic-security/#} only
 *       (administers the plugin; no meter traffic), held by the admin client.
 *   <li>roles {@value #INGEST_ROLE}, {@value #PORTAL_ROLE} and {@value #MONITOR_ROLE} (subscribe to {@code $SYS/#} only):
 *       {@link BrokerRights#grants} of that role. A PUBLISH grant
 *       is a {@code publishClientSend} ACL on the filter; a SUBSCRIBE grant is a {@code subscribeLiteral} ACL (exactly
 *       that filter, so {@code meters/+/reading} does not admit {@code #}, and a shared subscription is granted with its
 *       {@code $share/<group>/} part, as Mosquitto checks it) plus {@code unsubscribeLiteral} on the same filter and
 *       {@code publishClientReceive} on it without the share part (delivery is checked on the message's topic).
 *   <li>each service client given, with {@code clientid} = its name (Mosquitto refuses the username with any other
 *       client ID) and its role.
 * </ul>
 * A meter gets role {@code meter-<id>} with its grants (its own reading, backlog, status and command/ack out, its command in) and a client {@code <id>} whose {@code clientid} is also
 * {@code <id>} ({@link #registerMeter}). Passwords are stored as Mosquitto does: PBKDF2-HMAC-SHA512 (64 bytes, base64)
 * over the base64-decoded salt (12 random bytes), {@value #ITERATIONS} iterations (Mosquitto's own count; the
 * secrets are 256 random bits, so a slow hash adds nothing). Immutable and thread-safe.
 */
public final class DynsecConfig {

    /** Where the plugin takes commands; answers come on {@link #RESPONSE_TOPIC}. */
    public static final String CONTROL_TOPIC = "$CONTROL/dynamic-security/v1";
    public static final String RESPONSE_TOPIC = CONTROL_TOPIC + "/response";
    /** Everything the admin may touch. */
    public static final String CONTROL_FILTER = "$CONTROL/dynamic-security/#";
    public static final String ADMIN_ROLE = "ims-dynsec-admin";
    public static final String INGEST_ROLE = "ims-ingest";
    public static final String PORTAL_ROLE = "ims-portal";
    public static final String MONITOR_ROLE = "ims-monitor";
    /** A meter's role is this plus its ID. */
    public static final String METER_ROLE_PREFIX = "meter-";
    public static final int ITERATIONS = 101;
    /**
     * Errors the plugin answers that leave the broker as a command meant it: deleting what is not there (the first
     * step of an idempotent register) or disabling a client that does not exist (revoking twice, or a meter never
     * registered on this broker).
     */
    public static final Set<String> TOLERATED_ERRORS = Set.of("Client not found", "Role not found");

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A service instance's client in the file: {@code role} is {@link Role#INGEST}, {@link Role#PORTAL} or {@link Role#MONITOR}. */
    public record ServiceClient(String name, String secret, Role role) {
        public ServiceClient {
            new Identity(role, name); // validates the name
            Objects.requireNonNull(secret, "secret");
            if (role == Role.METER) {
                throw new IllegalArgumentException("a meter is registered at runtime (registerMeter), not written as a service");
            }
        }

        public Credential credential() {
            return new Credential(name, secret);
        }
    }

    /** A password as the plugin stores it. */
    public record PasswordHash(String password, String salt, int iterations) {}

    private final BrokerRights rights;

    public DynsecConfig(BrokerRights rights) {
        this.rights = Objects.requireNonNull(rights, "rights");
    }

    /** The role name of {@code role}'s services ({@value #INGEST_ROLE}, {@value #PORTAL_ROLE}, {@value #MONITOR_ROLE}). */
    public static String roleName(Role role) {
        return switch (role) {
            case INGEST -> INGEST_ROLE;
            case PORTAL -> PORTAL_ROLE;
            case MONITOR -> MONITOR_ROLE;
            case METER -> throw new IllegalArgumentException("each meter has its own role: meterRole(id)");
        };
    }

    public static String meterRole(String meterId) {
        return METER_ROLE_PREFIX + meterId;
    }

    /** The whole configuration file: admin, default access, service roles, {@code services}. */
    public ObjectNode file(Credential admin, List<ServiceClient> services) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode clients = root.putArray("clients");
        clients.add(fileClient(admin.username(), admin.password(), ADMIN_ROLE));
        for (ServiceClient s : services) {
            clients.add(fileClient(s.name(), s.secret(), roleName(s.role())));
        }
        root.putArray("groups");
        ArrayNode roles = root.putArray("roles");
        ObjectNode adminRole = roles.addObject().put("rolename", ADMIN_ROLE);
        ArrayNode adminAcls = adminRole.putArray("acls");
        adminAcls.add(acl("publishClientSend", CONTROL_FILTER));
        adminAcls.add(acl("publishClientReceive", CONTROL_FILTER));
        adminAcls.add(acl("subscribePattern", CONTROL_FILTER));
        adminAcls.add(acl("unsubscribePattern", CONTROL_FILTER));
        for (Role r : List.of(Role.INGEST, Role.PORTAL, Role.MONITOR)) {
            ObjectNode role = roles.addObject().put("rolename", roleName(r));
            role.set("acls", acls(grantsOf(new Identity(r, Identity.SERVICE_PREFIX + "any"))));
        }
        root.putObject("defaultACLAccess")
                .put("publishClientSend", false)
                .put("publishClientReceive", false)
                .put("subscribe", false)
                .put("unsubscribe", false);
        return root;
    }

    /**
     * What {@link #upgrade} changed.
     *
     * @param rolesUpdated service and meter roles whose ACLs differed from today's grants and were replaced (or were missing)
     * @param clientsAdded service clients that were not in the file
     */
    public record Upgrade(ObjectNode file, List<String> rolesUpdated, List<String> clientsAdded) {
        /** Whether the file had anything to change. */
        public boolean changed() {
            return !rolesUpdated.isEmpty() || !clientsAdded.isEmpty();
        }
    }

    /**
     * An existing file brought to today's rights without losing anyone: every service role ({@value #INGEST_ROLE},
     * {@value #PORTAL_ROLE}, {@value #MONITOR_ROLE}) and every meter's role ({@code meter-<id>}) gets exactly the ACLs
     * {@link BrokerRights} grants now (a right added since the file was written, such as a meter's backlog topic or the
     * monitor's {@code $SYS}, is added; one withdrawn is removed); each of {@code services} missing from the file is
     * added; everything denied by default. Existing clients, their passwords and every other role or group stay as
     * they are. Pure: reads {@code existing}, answers a new tree.
     *
     * @throws IllegalArgumentException when {@code existing} is not a dynamic-security file
     */
    public Upgrade upgrade(ObjectNode existing, List<ServiceClient> services) {
        if (!(existing.get("clients") instanceof ArrayNode) || !(existing.get("roles") instanceof ArrayNode)) {
            throw new IllegalArgumentException("not a dynamic-security file: no \"clients\" and \"roles\" lists");
        }
        ObjectNode root = existing.deepCopy();
        ArrayNode clients = (ArrayNode) root.get("clients");
        ArrayNode roles = (ArrayNode) root.get("roles");
        List<String> updated = new java.util.ArrayList<>();
        Set<String> seenRoles = new java.util.HashSet<>();
        for (com.fasterxml.jackson.databind.JsonNode node : roles) {
            String name = node.path("rolename").asText();
            List<BrokerRights.Grant> grants = grantsOfRole(name);
            if (grants != null && node instanceof ObjectNode role) {
                ArrayNode wanted = acls(grants);
                if (!aclSet(role.get("acls")).equals(aclSet(wanted))) {
                    role.set("acls", wanted);
                    updated.add(name);
                }
            }
            seenRoles.add(name);
        }
        for (Role r : List.of(Role.INGEST, Role.PORTAL, Role.MONITOR)) {
            if (!seenRoles.contains(roleName(r))) {
                roles.addObject().put("rolename", roleName(r)).set("acls", acls(grantsOf(new Identity(r, Identity.SERVICE_PREFIX + "any"))));
                updated.add(roleName(r));
            }
        }
        Set<String> present = new java.util.HashSet<>();
        clients.forEach(c -> present.add(c.path("username").asText()));
        List<String> added = new java.util.ArrayList<>();
        for (ServiceClient s : services) {
            if (present.add(s.name())) {
                clients.add(fileClient(s.name(), s.secret(), roleName(s.role())));
                added.add(s.name());
            }
        }
        root.putObject("defaultACLAccess")
                .put("publishClientSend", false)
                .put("publishClientReceive", false)
                .put("subscribe", false)
                .put("unsubscribe", false);
        return new Upgrade(root, updated, added);
    }

    /**
     * What an ACL list allows, whatever its order or extra fields (Mosquitto writes the file back from memory in its own
     * order, with a priority each).
     */
    private static Set<String> aclSet(com.fasterxml.jackson.databind.JsonNode acls) {
        Set<String> out = new java.util.HashSet<>();
        if (acls != null) {
            acls.forEach(a -> out.add(a.path("acltype").asText() + " " + a.path("topic").asText() + " " + a.path("allow").asBoolean(true)));
        }
        return out;
    }

    /** Today's grants of role {@code name}: a service role's, a meter's ({@code meter-<id>}), or null for any other role. */
    private List<BrokerRights.Grant> grantsOfRole(String name) {
        for (Role r : List.of(Role.INGEST, Role.PORTAL, Role.MONITOR)) {
            if (roleName(r).equals(name)) {
                return grantsOf(new Identity(r, Identity.SERVICE_PREFIX + "any"));
            }
        }
        if (name.startsWith(METER_ROLE_PREFIX) && name.length() > METER_ROLE_PREFIX.length()) {
            try {
                return grantsOf(Identity.meter(name.substring(METER_ROLE_PREFIX.length())));
            } catch (IllegalArgumentException notAMeterId) {
                return null;
            }
        }
        return null;
    }

    /** Writes {@link #file} to {@code path}, readable by the running account only (it holds password hashes). */
    public void write(Path path, Credential admin, List<ServiceClient> services) throws IOException {
        if (path.getParent() != null) {
            PrivateFiles.createDirectories(path.getParent());
        }
        PrivateFiles.writeString(path, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(file(admin, services)) + "\n");
    }

    /**
     * The commands that make {@code meterId}'s credential work, whatever was there before: delete its client and
     * role (a "not found" answer is expected the first time: {@link #TOLERATED_ERRORS}), create its role with its
     * grants and its client (username = client ID = meter ID, {@code secret}, that role). Deleting a client closes its
     * connection, so registering a connected meter again disconnects it; it reconnects with the new secret.
     *
     * @param correlation echoed in each answer as {@code correlationData}, {@code <correlation>:<index>}
     */
    public ObjectNode registerMeter(String meterId, String secret, String correlation) {
        Identity meter = Identity.meter(meterId);
        String role = meterRole(meterId);
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode commands = root.putArray("commands");
        commands.addObject().put("command", "deleteClient").put("username", meterId);
        commands.addObject().put("command", "deleteRole").put("rolename", role);
        ObjectNode createRole = commands.addObject().put("command", "createRole").put("rolename", role);
        createRole.set("acls", acls(grantsOf(meter)));
        commands.add(createClient(meterId, secret, role));
        number(commands, correlation);
        return root;
    }

    /** The commands that add service {@code client} at runtime (as {@link #registerMeter}: delete, then create). */
    public ObjectNode registerService(ServiceClient client, String correlation) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode commands = root.putArray("commands");
        commands.addObject().put("command", "deleteClient").put("username", client.name());
        commands.add(createClient(client.name(), client.secret(), roleName(client.role())));
        number(commands, correlation);
        return root;
    }

    /**
     * The command that stops {@code meterId}'s credential working: {@code disableClient}, which also closes its open
     * connection (Mosquitto 2.0.11 sends it DISCONNECT 0x98, administrative action). "Client not found" is tolerated.
     */
    public ObjectNode revokeMeter(String meterId, String correlation) {
        Identity.meter(meterId);
        ObjectNode root = Json.mapper().createObjectNode();
        root.putArray("commands").addObject().put("command", "disableClient").put("username", meterId);
        number((ArrayNode) root.get("commands"), correlation);
        return root;
    }

    /** {@code secret} hashed as the plugin stores it, with a new random salt. */
    public static PasswordHash hash(String secret) {
        byte[] salt = new byte[12];
        RANDOM.nextBytes(salt);
        return hash(secret, salt, ITERATIONS);
    }

    /** PBKDF2-HMAC-SHA512 of {@code secret} over {@code salt}, 64 bytes; all base64 as in the plugin's file. */
    public static PasswordHash hash(String secret, byte[] salt, int iterations) {
        try {
            byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                    .generateSecret(new PBEKeySpec(secret.toCharArray(), salt, iterations, 512)).getEncoded();
            return new PasswordHash(Base64.getEncoder().encodeToString(key), Base64.getEncoder().encodeToString(salt), iterations);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has PBKDF2WithHmacSHA512", e);
        }
    }

    private List<BrokerRights.Grant> grantsOf(Identity who) {
        return rights.grants(who);
    }

    private static ObjectNode fileClient(String username, String secret, String role) {
        PasswordHash h = hash(secret);
        ObjectNode c = Json.mapper().createObjectNode()
                .put("username", username)
                .put("clientid", username)
                .put("password", h.password())
                .put("salt", h.salt())
                .put("iterations", h.iterations());
        c.putArray("roles").addObject().put("rolename", role);
        return c;
    }

    private static ObjectNode createClient(String username, String secret, String role) {
        ObjectNode c = Json.mapper().createObjectNode()
                .put("command", "createClient")
                .put("username", username)
                .put("clientid", username)
                .put("password", secret);
        c.putArray("roles").addObject().put("rolename", role);
        return c;
    }

    private static ArrayNode acls(List<BrokerRights.Grant> grants) {
        ArrayNode acls = Json.mapper().createArrayNode();
        Set<String> receives = new java.util.HashSet<>();
        for (BrokerRights.Grant g : grants) {
            switch (g.access()) {
                case PUBLISH -> acls.add(acl("publishClientSend", g.topicFilter()));
                case SUBSCRIBE -> {
                    acls.add(acl("subscribeLiteral", g.topicFilter()));
                    acls.add(acl("unsubscribeLiteral", g.topicFilter()));
                    // Delivery is checked on the message's topic, which has no $share/<group>/ part.
                    String receive = withoutShare(g.topicFilter());
                    if (receives.add(receive)) {
                        acls.add(acl("publishClientReceive", receive));
                    }
                }
            }
        }
        return acls;
    }

    /** {@code $share/<group>/<filter>} without its first two levels; any other filter as it is. */
    static String withoutShare(String filter) {
        if (!filter.startsWith("$share/")) {
            return filter;
        }
        int slash = filter.indexOf('/', "$share/".length());
        return slash < 0 ? filter : filter.substring(slash + 1);
    }

    private static ObjectNode acl(String type, String topic) {
        return Json.mapper().createObjectNode().put("acltype", type).put("topic", topic).put("allow", true);
    }

    private static void number(ArrayNode commands, String correlation) {
        for (int i = 0; i < commands.size(); i++) {
            ((ObjectNode) commands.get(i)).put("correlationData", correlation + ":" + i);
        }
    }
}
