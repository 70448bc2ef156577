/** QEMU's filters filter-mirror, filter-redirector and filter-buffer (private). */
package net.filter;
