package dev.ims.portal.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.json.Json;
import dev.ims.model.reading.RelayState;
import dev.ims.portal.web.HttpError;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BulkRequestTest {

    static BulkCommands.Request parse(String json) throws Exception {
        return BulkCommands.parse(Json.mapper().readTree(json));
    }

    @Test
    void request_isDeduplicatedInOrder_withItsOverrideAndValidity() throws Exception {
        BulkCommands.Request r = parse("{\"meterIds\":[\"m-3\",\"m-1\",\"m-3\",\"m-2\",\"m-1\"],\"relay\":\"ON\",\"reason\":\" storm over \","
                + "\"override\":{\"reason\":\"checked by the field team\"},\"validForHours\":2}");
        assertThat(r.meterIds()).containsExactly("m-3", "m-1", "m-2");
        assertThat(r.relay()).isEqualTo(RelayState.ON);
        assertThat(r.reason()).isEqualTo("storm over");
        assertThat(r.overrideReason()).isEqualTo("checked by the field team");
        assertThat(r.queueValidity()).isEqualTo(Duration.ofHours(2));
        BulkCommands.Request plain = parse("{\"meterIds\":[\"m-1\"],\"relay\":\"OFF\",\"reason\":\"field incident\",\"override\":null}");
        assertThat(plain.overrideReason()).isNull();
        assertThat(plain.queueValidity()).isEqualTo(CommandService.DEFAULT_QUEUE_VALIDITY);
    }

    @Test
    void thousandMeters_areAccepted_andOneMoreIsNot() throws Exception {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < CommandOptions.MAX_BULK_METERS; i++) {
            ids.append(i == 0 ? "" : ",").append("\"m-").append(i).append('"');
        }
        assertThat(parse("{\"meterIds\":[" + ids + "],\"relay\":\"OFF\",\"reason\":\"field incident\"}").meterIds()).hasSize(1000);
        assertThatThrownBy(() -> parse("{\"meterIds\":[" + ids + ",\"m-x\"],\"relay\":\"OFF\",\"reason\":\"field incident\"}"))
                .isInstanceOf(HttpError.class).hasMessageContaining("meterIds");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "{\"relay\":\"OFF\",\"reason\":\"no meters\"}|meterIds",
            "{\"meterIds\":[],\"relay\":\"OFF\",\"reason\":\"empty list\"}|meterIds",
            "{\"meterIds\":\"m-1\",\"relay\":\"OFF\",\"reason\":\"not a list\"}|meterIds",
            "{\"meterIds\":[\"m-1\",\"bad id!\"],\"relay\":\"OFF\",\"reason\":\"bad id\"}|meterIds[1]",
            "{\"meterIds\":[\"m-1\",7],\"relay\":\"OFF\",\"reason\":\"a number\"}|meterIds[1]",
            "{\"meterIds\":[\"m-1\"],\"relay\":\"MAYBE\",\"reason\":\"bad relay\"}|relay",
            "{\"meterIds\":[\"m-1\"],\"relay\":\"OFF\"}|reason",
            "{\"meterIds\":[\"m-1\"],\"relay\":\"OFF\",\"reason\":\"x\"}|reason",
            "{\"meterIds\":[\"m-1\"],\"relay\":\"ON\",\"reason\":\"fine\",\"override\":\"because\"}|override",
            "{\"meterIds\":[\"m-1\"],\"relay\":\"ON\",\"reason\":\"fine\",\"override\":{\"reason\":\"no\"}}|override",
            "{\"meterIds\":[\"m-1\"],\"relay\":\"ON\",\"reason\":\"fine\",\"override\":{\"why\":\"fault checked\"}}|override",
            "{\"meterIds\":[\"m-1\"],\"relay\":\"OFF\",\"reason\":\"fine\",\"validForHours\":0}|validForHours"})
    void badBodies_areRefused_namingTheField(String caseAndField) {
        String[] parts = caseAndField.split("\\|");
        assertThatThrownBy(() -> parse(parts[0])).isInstanceOf(HttpError.class).satisfies(e -> {
            assertThat(((HttpError) e).status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(parts[1]);
        });
    }

    @Test
    void form_takesIdsOnLinesSpacesOrCommas() {
        BulkCommands.Request r = BulkCommands.parseForm("m-1\r\nm-2, m-3;m-4\n\n m-1 ", "OFF", "field incident", " ", "");
        assertThat(r.meterIds()).containsExactly("m-1", "m-2", "m-3", "m-4");
        assertThat(r.overrideReason()).isNull();
        assertThatThrownBy(() -> BulkCommands.parseForm(" \n ", "OFF", "field incident", null, null)).isInstanceOf(HttpError.class)
                .hasMessageContaining("meterIds");
        assertThatThrownBy(() -> BulkCommands.parseForm("m-1", "OFF", "field incident", null, "two")).isInstanceOf(HttpError.class)
                .hasMessageContaining("validForHours");
    }

    @Test
    void options_readTheirVariables_andRefuseOutOfRange() {
        CommandOptions o = CommandOptions.load(Map.of(CommandOptions.BULK_COMMANDS_PER_SECOND, "5", CommandOptions.BULK_MAX_RUNNING_PER_USER, "3",
                CommandOptions.APPROVAL_VALIDITY_HOURS, "2"));
        assertThat(o.bulkPerSecond()).isEqualTo(5);
        assertThat(o.bulksPerUser()).isEqualTo(3);
        assertThat(o.approvalValidity()).isEqualTo(Duration.ofHours(2));
        assertThat(CommandOptions.load(Map.of())).isEqualTo(CommandOptions.DEFAULTS);
        assertThatThrownBy(() -> CommandOptions.load(Map.of(CommandOptions.BULK_COMMANDS_PER_SECOND, "0")))
                .isInstanceOf(dev.ims.model.config.ConfigException.class).hasMessageContaining(CommandOptions.BULK_COMMANDS_PER_SECOND);
        assertThatThrownBy(() -> CommandOptions.load(Map.of(CommandOptions.APPROVAL_VALIDITY_HOURS, "169")))
                .isInstanceOf(dev.ims.model.config.ConfigException.class).hasMessageContaining(CommandOptions.APPROVAL_VALIDITY_HOURS);
    }
}
