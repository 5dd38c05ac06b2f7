package dev.ims.ingest;

import org.junit.jupiter.api.BeforeAll;

/** The hardening contract on the embedded broker and store IngestIT starts (Europe/Berlin days). */
class IngestHardeningIT extends IngestHardeningContract {

    @BeforeAll
    static void stack() throws Exception {
        IngestIT.startStack();
        db = IngestIT.db;
        meters = IngestIT.meters;
        ingest = IngestIT.ingest;
    }
}
