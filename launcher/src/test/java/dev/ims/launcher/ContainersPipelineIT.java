package dev.ims.launcher;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.hivemq.HiveMQContainer;
import org.testcontainers.containers.MongoDBContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The pipeline on real servers in containers: HiveMQ CE and a MongoDB replica set. Skipped where there
 * is no Docker engine (as on the project's CI machines); run it on a workstation with Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersPipelineIT extends PipelineContract {

    static final HiveMQContainer HIVEMQ = new HiveMQContainer(DockerImageName.parse("hivemq/hivemq-ce").withTag("2025.5"));
    static final MongoDBContainer MONGO = new MongoDBContainer(DockerImageName.parse("mongo:7.0"));

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        HIVEMQ.start();
        MONGO.start();
        startStack("tcp://" + HIVEMQ.getHost() + ":" + HIVEMQ.getMqttPort(), MONGO.getReplicaSetUrl("ims"), dir);
    }

    @AfterAll
    static void stopContainers() {
        stopStack();
        HIVEMQ.stop();
        MONGO.stop();
    }
}
