package dev.ims.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BindAddressTest {

    @Test
    void withoutTheSetting_servicesListenOnLoopbackOnly() {
        BindAddress a = ImsSettings.load(Map.of(), Map.of()).bindAddress();
        assertThat(a.host()).isEqualTo("127.0.0.1");
        assertThat(a.isLoopback()).isTrue();
        assertThat(a.isWildcard()).isFalse();
        assertThat(a.reach()).startsWith("loopback");
    }

    @Test
    void optionOverridesEnvironmentVariable() {
        ImsSettings s = ImsSettings.load(Map.of("IMS_BIND_ADDRESS", "0.0.0.0"), Map.of("IMS_BIND_ADDRESS", "192.0.2.7"));
        assertThat(s.bindAddress().host()).isEqualTo("192.0.2.7");
        assertThat(s.toString()).contains("bindAddress=192.0.2.7");
    }

    @Test
    void blankSetting_meansTheDefault() {
        assertThat(ImsSettings.load(Map.of("IMS_BIND_ADDRESS", "  "), Map.of()).bindAddress()).isEqualTo(BindAddress.LOOPBACK);
    }

    @Test
    void wildcard_opensToTheNetwork_andIsReachedLocallyOnLoopback() {
        BindAddress a = BindAddress.parse(" 0.0.0.0 ");
        assertThat(a.isWildcard()).isTrue();
        assertThat(a.isLoopback()).isFalse();
        assertThat(a.urlHost()).isEqualTo("127.0.0.1");
        assertThat(a.reach()).isEqualTo("IMS_BIND_ADDRESS");
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1,   127.0.0.1,   true",
        "192.0.2.7,   192.0.2.7,   false",
        "::1,         [0:0:0:0:0:0:0:1], true",
        "::,          127.0.0.1,   false",
        "fe80::1,     [fe80:0:0:0:0:0:0:1], false"})
    void literal_isBoundAndReachedWhereItSays(String literal, String urlHost, boolean loopback) {
        BindAddress a = BindAddress.parse(literal);
        assertThat(a.urlHost()).isEqualTo(urlHost);
        assertThat(a.isLoopback()).isEqualTo(loopback);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.org", "256.0.0.1", "127.0.0", "127.0.0.1.5", "010.0.0.1", "1.2.3.4:80",
        "::g", "1:2:3:4:5:6:7:8:9", "0.0.0.0/0", "*", "x"})
    void unparsableAddress_failsTheStartNamingTheVariable(String literal) {
        assertThatThrownBy(() -> ImsSettings.load(Map.of("IMS_BIND_ADDRESS", literal), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("IMS_BIND_ADDRESS")
                .hasMessageContaining("'" + literal + "'");
    }

    @Test
    void hostName_isRefusedWithoutALookUp() {
        // A name would need DNS at start-up and could bind somewhere else tomorrow; only literals are accepted.
        assertThatThrownBy(() -> BindAddress.parse("ims.invalid")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be an IP address");
    }
}
