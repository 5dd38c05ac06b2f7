package dev.ims.model.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.topic.Topics;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class DynsecConfigTest {

    private final DynsecConfig config = new DynsecConfig(new BrokerRights(Topics.defaults(), ImsSettings.DEFAULT_INGEST_GROUP));

    @Test
    void hash_isWhatMosquittoCtrlWrites() {
        // mosquitto_ctrl dynsec init (2.0.11) wrote this for password "adminpw".
        DynsecConfig.PasswordHash h = DynsecConfig.hash("adminpw", Base64.getDecoder().decode("LMVpOy8eSRNXsqzU"), 101);
        assertThat(h.password()).isEqualTo("4cxj9H4Ns2iQsWx7+jjzKY4AJZo1aC5KtLlDiw2Aw8phctVI+c/0Wb2wd7/WMfiLrXCj4b62iUA6qC7F09rHzQ==");
        assertThat(h.salt()).isEqualTo("LMVpOy8eSRNXsqzU");
    }

    @Test
    void file_deniesEverythingByDefault_andGivesEachServiceItsClientIdAndRole() {
        JsonNode file = config.file(new Credential("ims-dynsec-admin", "a"),
                List.of(new DynsecConfig.ServiceClient("ims-ingest-1", "s", Role.INGEST)));
        assertThat(file.get("defaultACLAccess").toString()).doesNotContain("true");
        JsonNode ingest = file.get("clients").get(1);
        assertThat(ingest.get("clientid").asText()).isEqualTo("ims-ingest-1");
        assertThat(ingest.get("roles").get(0).get("rolename").asText()).isEqualTo(DynsecConfig.INGEST_ROLE);
        List<String> ingestAcls = new ArrayList<>();
        file.get("roles").forEach(r -> {
            if (r.get("rolename").asText().equals(DynsecConfig.INGEST_ROLE)) {
                r.get("acls").forEach(a -> ingestAcls.add(a.get("acltype").asText() + " " + a.get("topic").asText()));
            }
        });
        assertThat(ingestAcls).contains("subscribeLiteral meters/+/reading", "subscribeLiteral $share/ims-ingest/meters/+/reading",
                "publishClientReceive meters/+/reading", "subscribeLiteral meters/+/backlog",
                "subscribeLiteral $share/ims-ingest/meters/+/backlog", "publishClientReceive meters/+/backlog").noneMatch(a -> a.startsWith("publishClientSend"))
                .doesNotContain("publishClientReceive $share/ims-ingest/meters/+/reading");
    }

    @Test
    void registerMeter_deletesThenCreatesItsRoleWithItsGrants_andAClientWhoseClientIdIsTheMeterId() {
        JsonNode commands = config.registerMeter("IMS-1", "secret", "c").get("commands");
        assertThat(commands).extracting(c -> c.get("command").asText())
                .containsExactly("deleteClient", "deleteRole", "createRole", "createClient");
        assertThat(commands.get(2).get("acls").toString()).contains("meters/IMS-1/reading", "meters/IMS-1/backlog", "meters/IMS-1/status",
                "meters/IMS-1/command/ack", "meters/IMS-1/command").doesNotContain("+", "#");
        assertThat(commands.get(3).get("clientid").asText()).isEqualTo("IMS-1");
        assertThat(commands.get(3).get("correlationData").asText()).isEqualTo("c:3");
    }

    @Test
    void upgrade_givesEveryMeterAndServiceRoleTodaysAcls_addsMissingServices_andKeepsEverythingElse() {
        com.fasterxml.jackson.databind.node.ObjectNode old = config.file(new Credential("ims-dynsec-admin", "a"),
                List.of(new DynsecConfig.ServiceClient("ims-ingest-1", "s", Role.INGEST)));
        com.fasterxml.jackson.databind.node.ArrayNode roles = old.withArray("roles");
        // A meter enrolled by an older version: one right it no longer has, none of its backlog.
        roles.addObject().put("rolename", "meter-IMS-7").putArray("acls").addObject().put("acltype", "publishClientSend")
                .put("topic", "meters/IMS-7/old-topic").put("allow", true);
        roles.addObject().put("rolename", "site-custom").putArray("acls").addObject().put("acltype", "subscribeLiteral")
                .put("topic", "site/#").put("allow", true);
        roles.removeIf(r -> r.path("rolename").asText().equals("ims-monitor"));
        String ingestPassword = old.withArray("clients").get(1).path("password").asText();

        DynsecConfig.Upgrade up = config.upgrade(old, List.of(new DynsecConfig.ServiceClient("ims-monitor", "m", Role.MONITOR)));

        JsonNode file = up.file();
        JsonNode meterRole = role(file, "meter-IMS-7");
        JsonNode fresh = config.registerMeter("IMS-7", "x", "c").get("commands").get(2).get("acls");
        assertThat(meterRole.get("acls")).as("exactly what a meter enrolled today gets").isEqualTo(fresh);
        assertThat(meterRole.get("acls").toString()).contains("meters/IMS-7/backlog").doesNotContain("old-topic");
        assertThat(role(file, "site-custom").get("acls").toString()).as("a role of someone else's untouched").contains("site/#");
        assertThat(role(file, "ims-monitor").get("acls").toString()).contains("$SYS/#");
        assertThat(up.rolesUpdated()).as("the ingest and portal roles were current").containsExactlyInAnyOrder("meter-IMS-7", "ims-monitor");
        assertThat(up.clientsAdded()).containsExactly("ims-monitor");
        List<String> users = new ArrayList<>();
        file.get("clients").forEach(c -> users.add(c.path("username").asText()));
        assertThat(users).containsExactly("ims-dynsec-admin", "ims-ingest-1", "ims-monitor");
        assertThat(file.get("clients").get(1).path("password").asText()).as("existing passwords kept").isEqualTo(ingestPassword);
        assertThat(old.toString()).as("the input untouched").contains("old-topic");
        DynsecConfig.Upgrade again = config.upgrade(up.file(), List.of(new DynsecConfig.ServiceClient("ims-monitor", "m", Role.MONITOR)));
        assertThat(again.changed()).as("a second upgrade has nothing to do").isFalse();
        assertThat(again.file()).isEqualTo(up.file());
        // Mosquitto writes the file back in its own order, with a priority per ACL: still nothing to do.
        com.fasterxml.jackson.databind.node.ObjectNode rewritten = up.file().deepCopy();
        rewritten.withArray("roles").forEach(r -> {
            List<JsonNode> acls = new ArrayList<>();
            r.get("acls").forEach(a -> acls.add(((com.fasterxml.jackson.databind.node.ObjectNode) a.deepCopy()).put("priority", 0)));
            java.util.Collections.reverse(acls);
            ((com.fasterxml.jackson.databind.node.ArrayNode) r.get("acls")).removeAll().addAll(acls);
        });
        assertThat(config.upgrade(rewritten, List.of()).changed()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config.upgrade(Json.mapper().createObjectNode(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a dynamic-security file");
    }

    private static JsonNode role(JsonNode file, String name) {
        for (JsonNode r : file.get("roles")) {
            if (r.path("rolename").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no role " + name);
    }
}
