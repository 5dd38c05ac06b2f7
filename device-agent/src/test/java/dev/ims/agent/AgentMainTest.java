package dev.ims.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The agent's command line, parsed without starting a meter. */
class AgentMainTest {

    @ParameterizedTest
    @CsvSource({"--min-switch-interval=0, 0", "--min-switch-interval=2m, 120"})
    void agentOption_minSwitchInterval_parses_andDefaultsTo60Seconds(String arg, long seconds) {
        AgentMain main = new AgentMain();
        new CommandLine(main).parseArgs(arg);
        assertThat(main.minSwitchInterval).isEqualTo(Duration.ofSeconds(seconds));
        AgentMain defaults = new AgentMain();
        new CommandLine(defaults).parseArgs();
        assertThat(defaults.minSwitchInterval).isEqualTo(Duration.ofSeconds(60));
    }
}
