/**
 * NIC models of Patchbay's own ({@code -device MODEL,netdev=ID}): lab endpoints that need no VM.
 * Written against {@code net.api} only; nothing here is exported.
 */
package net.nic;
