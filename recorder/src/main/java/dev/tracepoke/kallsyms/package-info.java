/** The {@code /proc/kallsyms} text format, with address-to-symbol and symbol-to-address lookup. */
package dev.tracepoke.kallsyms;
