/**
 * Who may do what on the broker: identities (a meter, the ingest, the portal), their credentials and the
 * one table of rights every broker applies (the embedded HiveMQ through its extension, Mosquitto through the
 * dynamic-security roles generated from the same table). Pure: no client or broker library.
 */
package dev.ims.model.security;
