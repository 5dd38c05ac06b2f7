package dev.ims.bridge;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import dev.ims.model.reading.RelayState;

/**
 * The supply relay on a GPIO output, and what it really does. With a feedback input wired to the
 * relay's auxiliary contact (or a voltage sensor on the load side), {@link #state()} reads that, so a
 * welded or unpowered relay shows up as disagreeing with the command; without one, the output pin's
 * level is the best the bridge knows, and the documentation says so.
 *
 * <p>Fail safe across stops: when Pi4J shuts down (an orderly stop of the bridge) the output is left in
 * the state it was last switched to, or driven to the configured safe state, never back to the state it
 * started with. After a crash the pin holds what the hardware holds; on the next start the bridge drives
 * it to the state saved before the last switch.
 */
public final class RelayOutput {

    private final DigitalOutput output;
    private final DigitalInput feedback;
    private final boolean activeLow;
    private final RelayState safeState;

    /** As below, holding the last switched state at shutdown. */
    public RelayOutput(Context pi4j, int pin, boolean activeLow, int feedbackPin, RelayState initial) {
        this(pi4j, pin, activeLow, feedbackPin, initial, null);
    }

    /**
     * @param activeLow the supply is ON when the output is LOW (many relay boards switch on LOW)
     * @param feedbackPin the input reading the supply's real state (HIGH = ON), or -1 for none
     * @param initial the state driven at once (the one saved before the last switch)
     * @param safeState the state driven when Pi4J shuts down, or null to hold the state last switched to
     */
    public RelayOutput(Context pi4j, int pin, boolean activeLow, int feedbackPin, RelayState initial, RelayState safeState) {
        this(pi4j, pin, activeLow, feedbackPin, initial, safeState, "supply relay");
    }

    /**
     * As above, for any relay the bridge drives (a circuit's too): Pi4J's ids are {@code relay-<pin>} and
     * {@code relay-feedback-<pin>}, so pins must differ.
     *
     * @param name what the relay switches, e.g. {@code supply relay}, {@code circuit water-heater relay}
     */
    RelayOutput(Context pi4j, int pin, boolean activeLow, int feedbackPin, RelayState initial, RelayState safeState, String name) {
        this.activeLow = activeLow;
        this.safeState = safeState;
        this.output = pi4j.create(DigitalOutput.newConfigBuilder(pi4j)
                .id("relay-" + pin)
                .name(name)
                .address(pin)
                .initial(level(initial))
                .shutdown(level(safeState != null ? safeState : initial))
                .build());
        this.feedback = feedbackPin < 0 ? null : pi4j.create(DigitalInput.newConfigBuilder(pi4j)
                .id("relay-feedback-" + feedbackPin)
                .name(name + " feedback")
                .address(feedbackPin)
                .pull(PullResistance.PULL_DOWN)
                .build());
    }

    /** Drives the relay to {@code wanted} and answers the state measured afterwards. */
    public synchronized RelayState switchTo(RelayState wanted) {
        output.state(level(wanted));
        if (safeState == null) {
            // Pi4J drives its configured shutdown state when the context shuts down: keep it the current one.
            output.config().shutdownState(level(wanted));
        }
        return state();
    }

    /** The state driven at shutdown: the configured safe state, or null when the last switched state is held. */
    public RelayState safeState() {
        return safeState;
    }

    /** The supply's state: from the feedback input when there is one, else from the output pin. */
    public synchronized RelayState state() {
        if (feedback != null) {
            return feedback.state() == DigitalState.HIGH ? RelayState.ON : RelayState.OFF;
        }
        boolean high = output.state() == DigitalState.HIGH;
        return high != activeLow ? RelayState.ON : RelayState.OFF;
    }

    public boolean hasFeedback() {
        return feedback != null;
    }

    private DigitalState level(RelayState s) {
        boolean high = (s == RelayState.ON) != activeLow;
        return high ? DigitalState.HIGH : DigitalState.LOW;
    }
}
