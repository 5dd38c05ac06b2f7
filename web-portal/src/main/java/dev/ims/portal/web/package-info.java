/** HTTP plumbing: the one error renderer, parameter parsing, templates, and the driver-to-Vert.x adapter. */
package dev.ims.portal.web;
