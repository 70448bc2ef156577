/**
 * The HTTP front end: Prometheus metrics and the topology page, registered on the Servlet
 * Whiteboard; an optional bundle, off unless an HTTP endpoint is configured.
 */
package net.http;
