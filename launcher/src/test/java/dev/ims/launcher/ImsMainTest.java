package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.config.BindAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ImsMainTest {

    @Test
    void banner_onLoopback_saysThisMachineOnly_andHowToOpen() {
        assertThat(ImsMain.listeningLine(List.of("broker", "store", "portal"), BindAddress.LOOPBACK))
                .isEqualTo("broker, store, portal listen on 127.0.0.1: this machine only"
                        + " (IMS_BIND_ADDRESS=0.0.0.0 or --bind-address opens them to the network)");
    }

    @Test
    void banner_onEveryInterface_saysOtherMachinesCanConnect() {
        assertThat(ImsMain.listeningLine(List.of("broker", "store", "portal"), BindAddress.parse("0.0.0.0")))
                .isEqualTo("broker, store, portal listen on 0.0.0.0 (IMS_BIND_ADDRESS): other machines can connect"
                        + " on any of this machine's addresses");
    }

    @Test
    void banner_withExternalBrokerAndStore_namesThePortalOnly() {
        assertThat(ImsMain.listeningLine(List.of("portal"), BindAddress.parse("192.0.2.9")))
                .isEqualTo("portal listens on 192.0.2.9 (IMS_BIND_ADDRESS): other machines can connect");
    }

    @Test
    void unparsableBindAddress_failsTheStart_beforeAnythingListens() {
        // Exit code 1, the ConfigException's message (naming IMS_BIND_ADDRESS) logged; no broker, store or portal started.
        assertThat(new CommandLine(new ImsMain()).execute("--bind-address", "my-laptop", "--fleet", "0")).isEqualTo(1);
    }
}
