package dev.tokenverify;

/** Names and messages of statuses this package's table lacks, asked of the loaded library. */
final class StatusNames {
  private StatusNames() {}

  static String name(int code) {
    try {
      return Native.cString((java.lang.foreign.MemorySegment) Native.STATUS_NAME.invokeExact(code));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  static String message(int code) {
    try {
      return Native.cString((java.lang.foreign.MemorySegment) Native.STATUS_MESSAGE.invokeExact(code));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
