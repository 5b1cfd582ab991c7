/**
 * How tracepoke's files reach the disk: whole or not at all ({@link dev.tracepoke.storage.WholeFile}).
 */
package dev.tracepoke.storage;
