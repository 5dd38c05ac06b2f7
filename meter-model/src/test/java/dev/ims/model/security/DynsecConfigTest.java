package dev.ims.model.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.config.ImsSettings;
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
}
