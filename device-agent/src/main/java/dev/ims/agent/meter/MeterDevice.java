package dev.ims.agent.meter;

import dev.ims.model.reading.RelayState;

/** What a meter connection needs of a meter, simulated or real (the Raspberry Pi bridge). */
public interface MeterDevice {

    String meterId();

    /** The verifier of the meter's claim code, published in its birth message. */
    String claimVerifier();

    /** The relay's state as measured now (not as last commanded). */
    RelayState relay();

    /** Switches the relay and answers its state as measured afterwards. */
    RelayState switchRelay(RelayState wanted);
}
