/** The embedded MongoDB-wire-compatible store (mongo-java-server with its H2 MVStore file backend). */
package dev.ims.embedded.store;
