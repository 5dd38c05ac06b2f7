/**
 * The MongoDB schema shared by the writer (ingest) and the readers (portal): collection and field
 * names and document identities. Kept in one place so neither side can drift from the other.
 */
package dev.ims.model.storage;
