/** The household load model: what a simulated meter measures. Pure and seedable. */
package dev.ims.agent.load;
