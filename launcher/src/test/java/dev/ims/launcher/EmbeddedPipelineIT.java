package dev.ims.launcher;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline on the one-command stack's own parts: embedded HiveMQ CE and the embedded store. */
class EmbeddedPipelineIT extends PipelineContract {

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        startStack(null, dir);
    }
}
