package dev.ims.ingest;

import org.junit.jupiter.api.BeforeAll;

/** The backlog contract on the embedded broker and store IngestIT starts (its ingest has a backlog identity). */
class IngestBacklogIT extends IngestBacklogContract {

    @BeforeAll
    static void stack() throws Exception {
        IngestIT.startStack();
        db = IngestIT.db;
        meters = IngestIT.meters;
        ingest = IngestIT.ingest;
    }
}
