package dev.ims.portal.device;

/**
 * The answer to an enrolment.
 *
 * @param meterId the enrolled meter's ID, which is also its broker username and client ID
 * @param created true when this call enrolled the meter, false when it was enrolled already with the same secret
 */
public record Enrolment(String meterId, boolean created) {}
