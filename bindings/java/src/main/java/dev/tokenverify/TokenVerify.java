package dev.tokenverify;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** Library-wide functions: versions, the base64url kernel, and decoding without verifying. */
public final class TokenVerify {
  private TokenVerify() {}

  /** The loaded library's version, e.g. "0.2.0". */
  public static String version() {
    try {
      return Native.cString((MemorySegment) Native.VERSION_STRING.invokeExact());
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** The loaded library's TV_VERSION_NUMBER (major * 10000 + minor * 100 + patch). */
  public static int versionNumber() {
    try {
      return (int) Native.VERSION_NUMBER.invokeExact();
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** The base64url kernel this process uses ("fallback", "haswell", ...). */
  public static String base64urlImplementation() {
    try {
      return Native.cString((MemorySegment) Native.BASE64URL_IMPL.invokeExact());
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Decodes {@code token} WITHOUT verifying anything but its shape. NEVER trust the result:
   * it is for debugging tools.
   *
   * @throws MalformedTokenException when the token is not three strict base64url segments of
   *     JSON objects
   */
  public static Claims inspectUnverified(String token) {
    byte[] b = token.getBytes(StandardCharsets.UTF_8);
    try {
      long[] out = new long[1];
      int s = (int) Native.INSPECT_UNVERIFIED.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(b),
          (long) b.length);
      if (s != 0) throw TokenVerifyException.of(s);
      return new Claims(out[0]);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
