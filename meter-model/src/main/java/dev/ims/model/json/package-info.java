/** The one Jackson configuration every codec uses, with the limits that protect against hostile input. */
package dev.ims.model.json;
