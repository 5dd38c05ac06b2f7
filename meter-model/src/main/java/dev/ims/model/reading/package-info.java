/** A meter reading: the record, its codec and the validation of untrusted reading payloads. */
package dev.ims.model.reading;
