/**
 * A meter's enrolment with the portal: the meter registers its own broker secret (and its claim verifier) with
 * the fleet provisioning key and gets the portal's public command key set back ({@link
 * dev.ims.client.enrol.EnrolmentClient}); {@link dev.ims.client.enrol.MeterEnrolment} is the procedure every
 * meter runs before it connects (the secret is on disk before it is sent, so a lost answer is simply asked
 * again); {@link dev.ims.client.enrol.EnrolmentOptions} its command-line options and environment variables.
 */
package dev.ims.client.enrol;
