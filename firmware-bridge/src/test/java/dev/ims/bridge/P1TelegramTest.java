package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** DSMR P1 telegrams: framing, CRC, the objects the bridge uses (the reader is {@link P1SourceTest}'s). */
class P1TelegramTest {

    /** A DSMR 5 telegram in the usual layout, without its CRC; {@link #signed} appends it. */
    static final String BODY = "/Ene5\\XS210 ESMR 5.0\r\n\r\n"
            + "1-3:0.2.8(50)\r\n"
            + "0-0:1.0.0(261125101500W)\r\n"
            + "0-0:96.1.1(4530303437303030303037363330383138)\r\n"
            + "1-0:1.8.1(004512.345*kWh)\r\n"
            + "1-0:1.8.2(003210.100*kWh)\r\n"
            + "1-0:2.8.1(000000.000*kWh)\r\n"
            + "1-0:2.8.2(000000.000*kWh)\r\n"
            + "0-0:96.14.0(0002)\r\n"
            + "1-0:1.7.0(01.234*kW)\r\n"
            + "1-0:2.7.0(00.000*kW)\r\n"
            + "1-0:32.7.0(231.4*V)\r\n"
            + "1-0:31.7.0(005*A)\r\n"
            + "0-1:24.2.1(261125101000W)(01234.567*m3)\r\n"
            + "!";

    static String signed(String body) {
        return body + String.format("%04X", P1Telegram.crc16(body.getBytes(StandardCharsets.ISO_8859_1))) + "\r\n";
    }

    @Test
    void crc_isCrc16Arc_checkedAgainstTheCatalogueValue() {
        // The standard check value of CRC-16/ARC over "123456789".
        assertThat(P1Telegram.crc16("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xBB3D);
    }

    @Test
    void telegram_givesImportRegister_powerVoltageCurrent() {
        P1Telegram t = P1Telegram.parse(signed(BODY));
        assertThat(t.header()).isEqualTo("/Ene5\\XS210 ESMR 5.0");
        assertThat(t.importKwh()).isEqualTo(4512.345 + 3210.100);
        assertThat(t.powerW()).isEqualTo(1234.0);
        assertThat(t.voltageV()).isEqualTo(231.4);
        assertThat(t.currentA()).isEqualTo(5.0);
        assertThat(t.raw("0-1:24.2.1")).isEqualTo("01234.567*m3");
    }

    @Test
    void aTelegramWithAnyByteChanged_failsItsCrc_andGarbageIsRefused() {
        String good = signed(BODY);
        String tampered = good.replace("004512.345", "004513.345");
        assertThatThrownBy(() -> P1Telegram.parse(tampered)).hasMessageContaining("CRC mismatch");
        assertThatThrownBy(() -> P1Telegram.parse(good.replace("!", "!ZZZZ\r\n").substring(0, good.indexOf('!') + 7)))
                .hasMessageContaining("bad CRC field");
        assertThatThrownBy(() -> P1Telegram.parse("1-0:1.8.1(004512.345*kWh)")).hasMessageContaining("not a telegram");
    }

    @Test
    void dsmr4AndLaterWithoutCrc_isRefused_whileDsmr22WithoutOne_isTaken() {
        assertThatThrownBy(() -> P1Telegram.parse(BODY + "\r\n")).as("DSMR 5 (1-3:0.2.8(50)) without CRC").hasMessageContaining("no CRC");
        assertThatThrownBy(() -> P1Telegram.parse(BODY.replace("1-3:0.2.8(50)", "1-3:0.2.8(42)") + "\r\n")).hasMessageContaining("no CRC");
        assertThatThrownBy(() -> P1Telegram.parse(BODY.replace("1-3:0.2.8(50)", "0-0:96.1.4(50217)") + "\r\n"))
                .as("Belgian e-MUCS").hasMessageContaining("no CRC");
        String dsmr22 = "/ISk5\\2MT382-1004\r\n\r\n"
                + "0-0:96.1.1(5A424556303035303933313937373132)\r\n"
                + "1-0:1.8.1(00185.000*kWh)\r\n"
                + "1-0:1.8.2(00084.000*kWh)\r\n"
                + "1-0:1.7.0(0000.98*kW)\r\n"
                + "!\r\n";
        P1Telegram t = P1Telegram.parse(dsmr22);
        assertThat(t.importKwh()).isEqualTo(269.0);
        assertThat(t.powerW()).isEqualTo(980.0);
        assertThatThrownBy(() -> P1Telegram.parse(dsmr22.replace("!\r\n", "!ABCD\r\n"))).as("a CRC it carries is checked")
                .hasMessageContaining("CRC mismatch");
    }

    @Test
    void valuesAreReadInTheirUnits_aWhMeterIsNotAThousandTimesTooHigh() {
        P1Telegram t = P1Telegram.parse(signed(BODY.replace("1-0:1.8.1(004512.345*kWh)", "1-0:1.8.1(005017120*Wh)")
                .replace("1-0:1.8.2(003210.100*kWh)", "1-0:1.8.2(000001500*Wh)")
                .replace("1-0:1.7.0(01.234*kW)", "1-0:1.7.0(000000286*W)")));
        assertThat(t.importKwh()).isCloseTo(5018.62, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.powerW()).isEqualTo(286.0);
        assertThat(P1Telegram.parse(signed(BODY.replace("1-0:32.7.0(231.4*V)", "1-0:32.7.0(0.2314*kV)"))).voltageV())
                .isCloseTo(231.4, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aValueWithAnUnknownUnit_refusesTheTelegram() {
        assertThatThrownBy(() -> P1Telegram.parse(signed(BODY.replace("004512.345*kWh", "004512.345*kvarh"))))
                .hasMessageContaining("unknown unit 'kvarh'");
        assertThatThrownBy(() -> P1Telegram.parse(signed(BODY.replace("01.234*kW", "01.234*kVA")))).hasMessageContaining("unknown unit");
        assertThatThrownBy(() -> P1Telegram.parse(signed(BODY.replace("231.4*V", "231.4*W")))).hasMessageContaining("unknown unit");
    }

    @Test
    void everyTariffRegisterIsSummed_orTheTotalTaken_forImportAndExport() {
        String fourTariffs = BODY.replace("1-0:1.8.1(004512.345*kWh)\r\n1-0:1.8.2(003210.100*kWh)\r\n",
                "1-0:1.8.1(000100.000*kWh)\r\n1-0:1.8.2(000073.640*kWh)\r\n1-0:1.8.3(000060.000*kWh)\r\n1-0:1.8.4(000040.000*kWh)\r\n")
                .replace("1-0:2.8.1(000000.000*kWh)", "1-0:2.8.1(000012.500*kWh)").replace("1-0:2.8.2(000000.000*kWh)", "1-0:2.8.2(000002.500*kWh)")
                .replace("1-0:2.7.0(00.000*kW)", "1-0:2.7.0(01.500*kW)");
        P1Telegram t = P1Telegram.parse(signed(fourTariffs));
        assertThat(t.importKwh()).isCloseTo(273.64, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.exportKwh()).isCloseTo(15.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.exportPowerW()).isEqualTo(1500.0);
        P1Telegram total = P1Telegram.parse(signed(fourTariffs.replace("1-3:0.2.8(50)\r\n", "1-3:0.2.8(50)\r\n1-0:1.8.0(000273.700*kWh)\r\n")));
        assertThat(total.importKwh()).as("the meter's own total wins").isEqualTo(273.7);
    }
}
