package dev.ims.bridge.homeassistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The discovery documents and state against Home Assistant's MQTT discovery schema (the topic
 * {@code <prefix>/<component>/<node_id>/<object_id>/config}; sensor: {@code device_class}, {@code state_class},
 * {@code unit_of_measurement}, {@code value_template}; binary_sensor: {@code payload_on}/{@code payload_off}; shared
 * {@code device} and {@code availability_topic}), with no broker.
 */
class HaDiscoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{ value_json\\.([a-z_]+) }}");
    private static final HaDiscovery DISCOVERY = new HaDiscovery("m-0042", "IMS firmware-bridge (P1)", "1.2.3", "homeassistant", "ims");

    private static final Reading IMPORT_ONLY = Reading.of("m-0042", 17, Instant.parse("2026-01-02T03:04:05Z"), 1234.567, 420.0, 231.4, 1.9,
            null, RelayState.ON);
    private static final Reading EXPORTING = IMPORT_ONLY.withExport(88.25, 1500.0);

    private static JsonNode config(HaValue v) throws Exception {
        HaMessage m = DISCOVERY.configs(EnumSet.of(v)).get(0);
        assertThat(m.topic()).isEqualTo("homeassistant/" + v.component() + "/m-0042/" + v.objectId() + "/config");
        assertThat(m.retained()).as("discovery configs are retained, so Home Assistant finds them at its own start").isTrue();
        return JSON.readTree(m.payload());
    }

    /** What Home Assistant shows for {@code v}: its value_template applied to the state document. */
    private static JsonNode rendered(HaValue v, HaMessage state) throws Exception {
        Matcher t = TEMPLATE.matcher(config(v).get("value_template").asText());
        assertThat(t.matches()).isTrue();
        return JSON.readTree(state.payload()).get(t.group(1));
    }

    @Test
    void theImportRegister_isATotalIncreasingEnergySensorInKwh_forTheEnergyDashboard() throws Exception {
        JsonNode c = config(HaValue.ENERGY_IMPORT);
        assertThat(c.get("device_class").asText()).isEqualTo("energy");
        assertThat(c.get("state_class").asText()).isEqualTo("total_increasing");
        assertThat(c.get("unit_of_measurement").asText()).isEqualTo("kWh");
        assertThat(c.get("state_topic").asText()).isEqualTo("ims/m-0042/state");
        assertThat(c.get("unique_id").asText()).isEqualTo("ims_m-0042_energy_import");
    }

    @Test
    void powerVoltageAndCurrent_areMeasurementsInTheirUnits() throws Exception {
        for (Object[] e : new Object[][] {{HaValue.POWER, "power", "W"}, {HaValue.EXPORT_POWER, "power", "W"}, {HaValue.VOLTAGE, "voltage", "V"},
                {HaValue.CURRENT, "current", "A"}, {HaValue.ENERGY_EXPORT, "energy", "kWh"}}) {
            JsonNode c = config((HaValue) e[0]);
            assertThat(c.get("device_class").asText()).as(e[0].toString()).isEqualTo(e[1]);
            assertThat(c.get("unit_of_measurement").asText()).as(e[0].toString()).isEqualTo(e[2]);
            assertThat(c.get("state_class").asText()).as(e[0].toString())
                    .isEqualTo(e[0] == HaValue.ENERGY_EXPORT ? "total_increasing" : "measurement");
        }
    }

    @Test
    void theSupplyRelay_isAReadOnlyPowerBinarySensor_withNoCommandTopic() throws Exception {
        JsonNode c = config(HaValue.RELAY);
        assertThat(HaValue.RELAY.component()).isEqualTo("binary_sensor");
        assertThat(c.get("device_class").asText()).isEqualTo("power");
        assertThat(c.get("payload_on").asText()).isEqualTo("ON");
        assertThat(c.get("payload_off").asText()).isEqualTo("OFF");
        assertThat(c.has("state_class")).isFalse();
        assertThat(c.has("unit_of_measurement")).isFalse();
        assertThat(rendered(HaValue.RELAY, DISCOVERY.state(IMPORT_ONLY, EnumSet.allOf(HaValue.class))).asText()).isEqualTo("ON");
    }

    @ParameterizedTest
    @EnumSource(HaValue.class)
    void everyEntity_sharesTheDevice_andTheAvailabilityTopic_andTakesNoCommands(HaValue v) throws Exception {
        JsonNode c = config(v);
        JsonNode device = c.get("device");
        assertThat(device.get("identifiers")).hasSize(1);
        assertThat(device.get("identifiers").get(0).asText()).isEqualTo("m-0042");
        assertThat(device.get("manufacturer").asText()).isEqualTo(HaDiscovery.MANUFACTURER);
        assertThat(device.get("model").asText()).isEqualTo("IMS firmware-bridge (P1)");
        assertThat(device.get("name").asText()).contains("m-0042");
        assertThat(device.get("sw_version").asText()).isEqualTo("1.2.3");
        assertThat(c.get("availability_topic").asText()).isEqualTo("ims/m-0042/availability");
        assertThat(c.get("payload_available").asText()).isEqualTo("online");
        assertThat(c.get("payload_not_available").asText()).isEqualTo("offline");
        assertThat(c.get("name").asText()).isNotBlank();
        List<String> fields = new ArrayList<>();
        c.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).noneMatch(f -> f.contains("command"));
    }

    @Test
    void uniqueIds_areDistinctPerValue_andPerMeter() {
        Set<String> ids = new HashSet<>();
        HaDiscovery other = new HaDiscovery("m-0043", "x", "1", "homeassistant", "ims");
        for (HaValue v : HaValue.values()) {
            ids.add(DISCOVERY.uniqueId(v));
            ids.add(other.uniqueId(v));
        }
        assertThat(ids).hasSize(2 * HaValue.values().length);
    }

    @Test
    void eachTemplate_picksTheReadingsOwnValue_fromTheStateDocument() throws Exception {
        HaMessage state = DISCOVERY.state(EXPORTING, HaValue.presentIn(EXPORTING));
        assertThat(state.topic()).isEqualTo("ims/m-0042/state");
        assertThat(state.retained()).isTrue();
        assertThat(rendered(HaValue.ENERGY_IMPORT, state).asDouble()).isEqualTo(EXPORTING.energyKwh());
        assertThat(rendered(HaValue.ENERGY_EXPORT, state).asDouble()).isEqualTo(EXPORTING.exportKwh());
        assertThat(rendered(HaValue.POWER, state).asDouble()).isEqualTo(EXPORTING.powerW());
        assertThat(rendered(HaValue.EXPORT_POWER, state).asDouble()).isEqualTo(EXPORTING.exportPowerW());
        assertThat(rendered(HaValue.VOLTAGE, state).asDouble()).isEqualTo(EXPORTING.voltageV());
        assertThat(rendered(HaValue.CURRENT, state).asDouble()).isEqualTo(EXPORTING.currentA());
        JsonNode doc = JSON.readTree(state.payload());
        assertThat(doc.get("seq").asLong()).isEqualTo(17);
        assertThat(Instant.parse(doc.get("ts").asText())).isEqualTo(EXPORTING.ts());
    }

    @Test
    void theExportRegister_isAnnouncedOnlyWhenTheMeterExports() {
        assertThat(HaValue.presentIn(IMPORT_ONLY)).doesNotContain(HaValue.ENERGY_EXPORT, HaValue.EXPORT_POWER)
                .contains(HaValue.ENERGY_IMPORT, HaValue.POWER, HaValue.VOLTAGE, HaValue.CURRENT, HaValue.RELAY);
        assertThat(HaValue.presentIn(EXPORTING)).contains(HaValue.ENERGY_EXPORT, HaValue.EXPORT_POWER);
        assertThat(DISCOVERY.configs(HaValue.presentIn(IMPORT_ONLY))).extracting(HaMessage::topic).noneMatch(t -> t.contains("export"));
    }

    @Test
    void aValueAnnouncedBefore_butMissingFromThisReading_isNull_soHomeAssistantShowsUnknown() throws Exception {
        Reading noVoltage = Reading.of("m-0042", 18, Instant.parse("2026-01-02T03:04:15Z"), 1234.6, 400.0, null, null, null, RelayState.ON);
        JsonNode doc = JSON.readTree(DISCOVERY.state(noVoltage, HaValue.presentIn(IMPORT_ONLY)).payload());
        assertThat(doc.has("voltage_v")).isTrue();
        assertThat(doc.get("voltage_v").isNull()).isTrue();
        assertThat(doc.get("energy_kwh").asDouble()).isEqualTo(1234.6);
        assertThat(doc.has("export_kwh")).as("never announced, never sent").isFalse();
    }

    @Test
    void availability_isRetainedOnlineOrOffline() {
        assertThat(DISCOVERY.availability(true)).isEqualTo(new HaMessage("ims/m-0042/availability", "online", true));
        assertThat(DISCOVERY.availability(false)).isEqualTo(new HaMessage("ims/m-0042/availability", "offline", true));
    }

    @Test
    void otherPrefixes_moveEveryTopic() {
        HaDiscovery d = new HaDiscovery("m-0042", "x", "1", "ha", "home/meters");
        assertThat(d.configTopic(HaValue.POWER)).isEqualTo("ha/sensor/m-0042/power/config");
        assertThat(d.stateTopic()).isEqualTo("home/meters/m-0042/state");
        assertThat(d.availabilityTopic()).isEqualTo("home/meters/m-0042/availability");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "home/#", "a/+/b", "/ha", "ha/", "a//b", "$SYS", "my ha"})
    void aPrefixThatIsNotPlainTopicLevels_isRefused(String prefix) {
        assertThatThrownBy(() -> new HaDiscovery("m-0042", "x", "1", prefix, "ims")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + prefix + "'");
        assertThatThrownBy(() -> new HaDiscovery("m-0042", "x", "1", "homeassistant", prefix)).isInstanceOf(IllegalArgumentException.class);
    }
}
