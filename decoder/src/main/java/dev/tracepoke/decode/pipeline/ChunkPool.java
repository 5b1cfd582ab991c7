package dev.tracepoke.decode.pipeline;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Element chunks to fill again, shared by the threads of one core's decode (the stretch decoders
 * that fill them, the consumer that empties them): a decode at hundreds of MB of elements a second
 * would otherwise allocate and zero a chunk every few thousand elements. Bounded: beyond it a
 * chunk given back is garbage.
 */
final class ChunkPool {
  private final ArrayBlockingQueue<ElementChunk> free;

  ChunkPool(int capacity) {
    free = new ArrayBlockingQueue<>(Math.max(1, capacity));
  }

  /** An empty chunk: a used one when there is one. */
  ElementChunk take() {
    ElementChunk c = free.poll();
    if (c == null) {
      return new ElementChunk();
    }
    c.clear();
    return c;
  }

  /** {@code c} will not be read again. */
  void give(ElementChunk c) {
    free.offer(c);
  }
}
