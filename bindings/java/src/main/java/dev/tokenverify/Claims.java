package dev.tokenverify;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.locks.StampedLock;

/**
 * The claims of a verified token: a lazy view over the engine's {@code tv_claims}. Each getter
 * asks the engine for one member; nothing is decoded into Java objects until {@link #toMap()}
 * (one JSON decode, kept).
 *
 * <p>Claims own their native copy: {@link #close()} frees it (idempotent), and a {@link
 * Cleaner} frees what is never closed. Claims may be read from several threads at once; a read
 * holds a read lock so that {@code close()} never frees the copy under it, and a read after
 * {@code close()} throws {@link IllegalStateException}.
 */
public final class Claims implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  /** The native pointer and its lock, shared with the cleaner (which must not see the Claims). */
  private static final class State implements Runnable {
    final StampedLock lock = new StampedLock();
    long address;

    State(long address) {
      this.address = address;
    }

    @Override
    public void run() {
      long stamp = lock.writeLock();
      try {
        if (address != 0) {
          Native.CLAIMS_FREE.invokeExact(MemorySegment.ofAddress(address));
          address = 0;
        }
      } catch (Throwable t) {
        throw Native.rethrow(t);
      } finally {
        lock.unlockWrite(stamp);
      }
    }
  }

  private final State state;
  private final Cleaner.Cleanable cleanable;
  private volatile Map<String, Object> map;

  Claims(long address) {
    this.state = new State(address);
    this.cleanable = CLEANER.register(this, state);
  }

  private interface Read<T> {
    T apply(MemorySegment claims) throws Throwable;
  }

  private <T> T read(Read<T> body) {
    long stamp = state.lock.readLock();
    try {
      if (state.address == 0) throw new IllegalStateException("tokenverify: the claims are closed");
      return body.apply(MemorySegment.ofAddress(state.address));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    } finally {
      state.lock.unlockRead(stamp);
      Reference.reachabilityFence(this);
    }
  }

  private String view(MethodHandle fn) {
    return read(c -> {
      long[] out = new long[2];
      int s = (int) fn.invokeExact(c, MemorySegment.ofArray(out).asSlice(0, 8), MemorySegment.ofArray(out).asSlice(8, 8));
      if (s != 0) throw TokenVerifyException.of(s);
      return Native.string(out[0], out[1]);
    });
  }

  /** The decoded payload, a JSON object, exactly as it appeared in the token. */
  public String json() {
    return view(Native.CLAIMS_JSON);
  }

  /** The decoded protected header, a JSON object. */
  public String headerJson() {
    return view(Native.CLAIMS_HEADER_JSON);
  }

  /** The name of the provider that accepted the token ("" for {@link TokenVerify#inspectUnverified}). */
  public String provider() {
    return view(Native.CLAIMS_PROVIDER);
  }

  private String get(MethodHandle fn, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return read(c -> {
      long[] out = new long[2];
      int s = (int) fn.invokeExact(c, MemorySegment.ofArray(out).asSlice(0, 8), MemorySegment.ofArray(out).asSlice(8, 8),
          MemorySegment.ofArray(n), (long) n.length);
      if (s == Status.ERR_NOT_FOUND.code()) return null;
      if (s != 0) throw TokenVerifyException.of(s);
      return Native.string(out[0], out[1]);
    });
  }

  /**
   * The string claim {@code name} (unescaped), or null when absent.
   *
   * @throws MisuseException {@code TV_ERR_WRONG_TYPE} when the claim is not a string
   */
  public String getString(String name) {
    return get(Native.CLAIMS_GET_STRING, name);
  }

  /** The JSON text of the claim {@code name} (e.g. {@code "\"alice\""}, {@code "[1,2]"}), or null when absent. */
  public String getRaw(String name) {
    return get(Native.CLAIMS_GET_RAW, name);
  }

  /** True when the payload has a claim named {@code name}. */
  public boolean has(String name) {
    return getRaw(name) != null;
  }

  /**
   * The integer claim {@code name}, or null when absent.
   *
   * @throws MisuseException {@code TV_ERR_WRONG_TYPE} when it is not a JSON integer that fits a long
   */
  public Long getLong(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return read(c -> {
      long[] out = new long[1];
      int s = (int) Native.CLAIMS_GET_INT64.invokeExact(c, MemorySegment.ofArray(out), MemorySegment.ofArray(n),
          (long) n.length);
      if (s == Status.ERR_NOT_FOUND.code()) return null;
      if (s != 0) throw TokenVerifyException.of(s);
      return out[0];
    });
  }

  /**
   * The whole payload decoded (one JSON decode, on the first call, then kept): objects as
   * {@code Map<String, Object>} in document order, arrays as {@code List<Object>}, strings,
   * {@code Long} (or {@code BigInteger}) integers, {@code Double} other numbers, {@code
   * Boolean} and null. Unmodifiable.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = map;
    if (m == null) {
      @SuppressWarnings("unchecked")
      Map<String, Object> parsed = (Map<String, Object>) Json.parse(json());
      map = m = parsed;
    }
    return m;
  }

  /** The decoded header, as {@link #toMap()} decodes the payload. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> header() {
    return (Map<String, Object>) Json.parse(headerJson());
  }

  /** A new, independent copy of these claims. */
  public Claims copy() {
    return new Claims(read(c -> dup(c)));
  }

  static long dup(MemorySegment c) throws Throwable {
    long[] out = new long[1];
    int s = (int) Native.CLAIMS_DUP.invokeExact(MemorySegment.ofArray(out), c);
    if (s != 0) throw TokenVerifyException.of(s);
    return out[0];
  }

  /** True once closed. */
  public boolean isClosed() {
    long stamp = state.lock.readLock();
    try {
      return state.address == 0;
    } finally {
      state.lock.unlockRead(stamp);
    }
  }

  /** Frees the native copy (idempotent); later reads throw {@link IllegalStateException}. */
  @Override
  public void close() {
    cleanable.clean();
  }

  @Override
  public String toString() {
    return isClosed() ? "Claims[closed]" : "Claims" + json();
  }
}
