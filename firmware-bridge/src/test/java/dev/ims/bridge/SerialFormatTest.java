package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SerialFormatTest {

    @Test
    void readsTheManualsNotation() {
        assertThat(SerialFormat.parse("8N1")).isEqualTo(SerialFormat.F8N1);
        assertThat(SerialFormat.parse(" 7e1 ")).isEqualTo(SerialFormat.F7E1);
        assertThat(SerialFormat.parse("8O2")).isEqualTo(new SerialFormat(8, 'O', 2));
        assertThat(SerialFormat.F7E1).hasToString("7E1");
    }

    @Test
    void refusesWhatNoSerialPortDoes() {
        for (String bad : new String[] {"", "8N", "9N1", "8X1", "8N3", "N81", "115200"}) {
            assertThatThrownBy(() -> SerialFormat.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> SerialFormat.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
