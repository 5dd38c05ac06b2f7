/** Commands from staff to a meter (relay switching) and the meter's acknowledgements. */
package dev.ims.model.command;
