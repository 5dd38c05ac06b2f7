/** Logging what came from outside without letting it forge log lines. */
package dev.ims.model.log;
