package dev.ims.bridge;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a meter's S0 pulses (DIN 43864 / IEC 62053-31) on one GPIO input: one count per transition to
 * the active level, with a debounce shorter than the shortest pulse (S0 pulses last at least 30 ms).
 * Wired S0+ to 3.3 V and S0- to the pin with a pull-down, a pulse drives the pin HIGH (the default);
 * wired to ground with a pull-up, pass {@code activeLow}.
 */
public final class S0Counter implements AutoCloseable {

    private final DigitalInput input;
    private final DigitalStateChangeListener listener;
    private final AtomicLong pulses = new AtomicLong();

    public S0Counter(Context pi4j, int pin, boolean activeLow, long debounceMicros) {
        this.input = pi4j.create(DigitalInput.newConfigBuilder(pi4j)
                .id("s0-" + pin)
                .name("S0 pulse input")
                .address(pin)
                .pull(activeLow ? PullResistance.PULL_UP : PullResistance.PULL_DOWN)
                .debounce(debounceMicros, TimeUnit.MICROSECONDS)
                .build());
        DigitalState active = activeLow ? DigitalState.LOW : DigitalState.HIGH;
        this.listener = e -> {
            if (e.state() == active) {
                pulses.incrementAndGet();
            }
        };
        input.addListener(listener);
    }

    /** Pulses counted since this counter was created. */
    public long pulses() {
        return pulses.get();
    }

    @Override
    public void close() {
        input.removeListener(listener);
    }

    @Override
    public String toString() {
        return "GPIO " + input.address();
    }
}
