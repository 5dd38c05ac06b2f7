package dev.ims.portal.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class FlatTariffTest {

    @Test
    void cost_isRoundedToCents() {
        FlatTariff t = new FlatTariff(0.3, "EUR");
        assertThat(t.cost(LocalDate.parse("2026-11-24"), 12.345)).isEqualTo(3.70);
        assertThat(t.cost(LocalDate.parse("2026-11-24"), 0)).isZero();
    }

    @Test
    void negativeOrNanPrice_isRefused() {
        assertThatThrownBy(() -> new FlatTariff(-0.1, "EUR")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlatTariff(Double.NaN, "EUR")).isInstanceOf(IllegalArgumentException.class);
    }
}
