package dev.tokenverify;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A native buffer per thread, for the ordinary (non-critical) downcalls that need one. */
final class Scratch {
  private Scratch() {}

  private static final ThreadLocal<MemorySegment[]> BUFFER = ThreadLocal.withInitial(() -> new MemorySegment[1]);

  /** At least {@code size} bytes, 8-aligned, owned by this thread (freed by the GC). */
  static MemorySegment get(long size) {
    MemorySegment[] slot = BUFFER.get();
    MemorySegment s = slot[0];
    if (s == null || s.byteSize() < size) {
      s = Arena.ofAuto().allocate(Math.max(4096, Long.highestOneBit(size) << 1), 8);
      slot[0] = s;
    }
    return s;
  }
}
