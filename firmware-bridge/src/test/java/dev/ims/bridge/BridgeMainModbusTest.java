package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The Modbus options: which source they make (nothing is opened: the port is opened at the first reading). */
class BridgeMainModbusTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--modbus-map pzem004t | Modbus RTU /dev/ttyUSB0 9600 8N1 unit 1 (pzem004t)",
        "--modbus-map sdm120 | Modbus RTU /dev/ttyUSB0 2400 8N1 unit 1 (sdm120)",
        "--modbus-device /dev/ttyAMA0 | Modbus RTU /dev/ttyAMA0 9600 8N1 unit 1 (sdm630)",
        "--modbus-map SDM120 --modbus-baud 9600 --modbus-format 8e1 --modbus-unit 12 | Modbus RTU /dev/ttyUSB0 9600 8E1 unit 12 (sdm120)",
    })
    void rtu_defaultsToTheMapsBaudAnd8N1(String args, String source) {
        try (ModbusSource s = main(args).modbusSource(true)) {
            assertThat(s).hasToString(source);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--modbus-map sdm72 | unknown register map 'sdm72' (sdm120, sdm630, pzem004t)",
        "--modbus-format 8X1 | parity must be N, E or O, not X",
        "--modbus-format 9600 | serial format '9600' is not data bits, parity, stop bits (e.g. 8N1, 7E1)",
        "--modbus-baud 0 | baud must be positive, not 0",
        "--modbus-unit 0 | a Modbus RTU unit (slave address) is 1 to 247, not 0",
        "--modbus-unit 248 | a Modbus RTU unit (slave address) is 1 to 247, not 248",
    })
    void rtu_badOption_isAParameterErrorNamingIt(String args, String message) {
        assertThatThrownBy(() -> main(args).modbusSource(true)).isInstanceOf(CommandLine.ParameterException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--modbus-host 192.0.2.7 | Modbus TCP 192.0.2.7:502 unit 1 (sdm630)",
        "--modbus-host 192.0.2.7 --modbus-port 1502 --modbus-unit 0 --modbus-map pzem004t | Modbus TCP 192.0.2.7:1502 unit 0 (pzem004t)",
    })
    void tcp_keepsItsOptions_andTakesEveryMap(String args, String source) {
        try (ModbusSource s = main(args).modbusSource(false)) {
            assertThat(s).hasToString(source);
        }
    }

    private static BridgeMain main(String args) {
        BridgeMain main = new BridgeMain();
        new CommandLine(main).parseArgs(args.trim().split("\\s+"));
        return main;
    }
}
