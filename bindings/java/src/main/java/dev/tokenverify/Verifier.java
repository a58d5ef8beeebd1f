package dev.tokenverify;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A verifier built from a configuration document (the README's "Configuration"): verifies
 * tokens and authenticates requests. Build one per configuration and share it.
 *
 * <p>Thread safety: every method may be called from any number of threads at once, {@link
 * #close()} included. The native verifier lives in a shared {@link Arena}; each call hands its
 * handle to the engine as a segment of that arena, so the JDK holds the arena open for the
 * length of the call (its own atomic reference count), and {@code close()} waits until no call
 * is in flight before the engine frees the verifier. A call that starts after {@code close()}
 * throws {@link IllegalStateException}; none can crash.
 *
 * <p>Lifetime: {@code close()} is idempotent. A verifier that is never closed is freed by a
 * {@link Cleaner} once unreachable; close it explicitly to free its key-set threads at once.
 */
public final class Verifier implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  private final Arena arena;
  private final MemorySegment handle;
  private final boolean critical;
  private final Cleaner.Cleanable cleanable;
  private volatile boolean closed;

  private Verifier(Arena arena, Arena callbacks, MemorySegment handle, boolean critical) {
    this.arena = arena;
    this.handle = handle;
    this.critical = critical;
    this.cleanable = CLEANER.register(this, new Release(arena, callbacks));
  }

  /**
   * Closes the arena (which frees the native verifier), waiting for calls in flight; then the
   * arena of the upcall stubs (no callback can come once the verifier is freed).
   */
  private record Release(Arena arena, Arena callbacks) implements Runnable {
    @Override
    public void run() {
      long pause = 1;
      while (true) {
        try {
          arena.close();
          break;
        } catch (IllegalStateException inFlight) {
          // Some thread is inside a call with this verifier: wait for it to return.
          if (!arena.scope().isAlive()) break;
          try {
            Thread.sleep(0, (int) Math.min(pause, 999_999));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Thread.onSpinWait();
          }
          pause = Math.min(pause * 2, 1_000_000);
        }
      }
      if (callbacks != null) callbacks.close();
    }
  }

  /**
   * Builds a verifier from the JSON configuration document {@code configJson}.
   *
   * @throws TokenVerifyException (usually {@link MisuseException} with {@code TV_ERR_CONFIG},
   *     {@code TV_ERR_IO}, or a {@link KeyException} such as {@code TV_ERR_JWKS_MALFORMED})
   *     with {@link TokenVerifyException#field()} and {@link TokenVerifyException#detail()}
   *     naming what is wrong
   */
  public static Verifier create(String configJson) {
    return builder(configJson).build();
  }

  /** A builder for a verifier with a {@link Validator} or a key-set event listener. */
  public static Builder builder(String configJson) {
    return new Builder(configJson);
  }

  /** Builds a {@link Verifier} with callbacks (tv_verifier_new_ex2). */
  public static final class Builder {
    private final String configJson;
    private Validator validator;
    private java.util.function.Consumer<KeyEvent> listener;

    private Builder(String configJson) {
      this.configJson = Objects.requireNonNull(configJson, "configJson");
    }

    /** The application's check of {@code "validator": true} credentials (Basic, API keys). */
    public Builder validator(Validator validator) {
      this.validator = validator;
      return this;
    }

    /** Receives key-set events on the engine's refresher threads (see {@link KeyEvent}). */
    public Builder onKeyEvent(java.util.function.Consumer<KeyEvent> listener) {
      this.listener = listener;
      return this;
    }

    /** As {@link Verifier#create(String)}. */
    public Verifier build() {
      return Verifier.build(configJson, validator, listener);
    }
  }

  private static Verifier build(String configJson, Validator validator, java.util.function.Consumer<KeyEvent> listener) {
    Arena arena = Arena.ofShared();
    Arena callbacks = validator == null && listener == null ? null : Arena.ofShared();
    try {
      MemorySegment v;
      try (Arena call = Arena.ofConfined()) {
        MemorySegment out = call.allocate(ADDRESS);
        MemorySegment config = call.allocateFrom(configJson);  // UTF-8, NUL-terminated
        MemorySegment diag = call.allocate(Native.DIAG_SIZE);
        int s;
        if (callbacks == null) {
          s = (int) Native.VERIFIER_NEW.invokeExact(out, config, config.byteSize() - 1, diag);
        } else {
          MemorySegment options = call.allocate(Callbacks.OPTIONS_SIZE, 8);
          options.set(JAVA_LONG, 0, Callbacks.OPTIONS_SIZE);
          options.set(ADDRESS, 8, listener == null ? MemorySegment.NULL : Callbacks.eventStub(listener, callbacks));
          options.set(ADDRESS, 16, MemorySegment.NULL);
          options.set(ADDRESS, 24, validator == null ? MemorySegment.NULL : Callbacks.validatorStub(validator, callbacks));
          options.set(ADDRESS, 32, MemorySegment.NULL);
          s = (int) Native.VERIFIER_NEW_EX2.invokeExact(out, config, config.byteSize() - 1, options, diag);
        }
        if (s != 0) {
          throw TokenVerifyException.of(s, diag.getString(Native.DIAG_FIELD), diag.getString(Native.DIAG_MESSAGE));
        }
        v = out.get(ADDRESS, 0);
      }
      MemorySegment handle = v.reinterpret(arena, Verifier::free);
      // A verification waits only when a remote key set has unknownKidWait: such verifiers use
      // ordinary downcalls, so that a waiting thread never holds up the JVM's safepoints.
      boolean critical = !configJson.contains("unknownKidWait")
          && !"false".equals(System.getProperty("tokenverify.critical"));
      return new Verifier(arena, callbacks, handle, critical);
    } catch (Throwable t) {
      arena.close();
      if (callbacks != null) callbacks.close();
      throw Native.rethrow(t);
    }
  }

  private static void free(MemorySegment v) {
    try {
      Native.VERIFIER_FREE.invokeExact(v);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private IllegalStateException closedError() {
    return new IllegalStateException("tokenverify: the verifier is closed");
  }

  /**
   * Verifies {@code token} (a compact JWS) and returns its claims, a lazy view over the
   * engine's copy: close it when done (or leave it to the cleaner).
   *
   * @throws TokenVerifyException the first failure found (exact status in {@code code()})
   * @throws IllegalStateException after {@link #close()}
   */
  public Claims verify(String token) {
    return verify(token.getBytes(StandardCharsets.UTF_8));
  }

  /** {@link #verify(String)} for the token's bytes. */
  public Claims verify(byte[] token) {
    long[] out = new long[1];
    int s = call(token, out);
    if (s != 0) throw TokenVerifyException.of(s);
    return new Claims(out[0]);
  }

  /**
   * Verifies {@code token} without keeping its claims: the fast path (no allocation in the
   * engine, none in this package beyond the token's bytes).
   *
   * @throws TokenVerifyException the first failure found
   * @throws IllegalStateException after {@link #close()}
   */
  public void verifyOnly(String token) {
    int s = call(token.getBytes(StandardCharsets.UTF_8), null);
    if (s != 0) throw TokenVerifyException.of(s);
  }

  /** {@link #verifyOnly(String)} for the token's bytes. */
  public void verifyOnly(byte[] token) {
    int s = call(token, null);
    if (s != 0) throw TokenVerifyException.of(s);
  }

  /** The status of verifying {@code token}, without claims and without an exception. */
  public Status check(String token) {
    int s = call(token.getBytes(StandardCharsets.UTF_8), null);
    Status status = Status.fromCode(s);
    return status != null ? status : Status.ERR_INTERNAL;
  }

  private int call(byte[] token, long[] outClaims) {
    if (closed) throw closedError();
    try {
      if (critical) {
        MemorySegment out = outClaims == null ? MemorySegment.NULL : MemorySegment.ofArray(outClaims);
        return (int) Native.VERIFY_CRITICAL.invokeExact(handle, out, MemorySegment.ofArray(token), (long) token.length);
      }
      MemorySegment buf = Scratch.get(token.length + 8L);
      MemorySegment.copy(token, 0, buf, JAVA_BYTE, 8, token.length);
      MemorySegment out = outClaims == null ? MemorySegment.NULL : buf;
      int s = (int) Native.VERIFY.invokeExact(handle, out, buf.asSlice(8), (long) token.length);
      if (outClaims != null) outClaims[0] = s == 0 ? buf.get(JAVA_LONG, 0) : 0;
      return s;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Verifies many tokens in one call on {@code threads} threads (0: one per CPU), as many
   * {@link #check(String)} calls would; returns each token's status in input order.
   */
  public Status[] verifyBatch(List<String> tokens, int threads) {
    if (closed) throw closedError();
    int n = tokens.size();
    Status[] result = new Status[n];
    if (n == 0) return result;
    try (Arena call = Arena.ofConfined()) {
      MemorySegment ptrs = call.allocate(ADDRESS, n);
      MemorySegment lens = call.allocate(JAVA_LONG, n);
      MemorySegment statuses = call.allocate(JAVA_INT, n);
      for (int i = 0; i < n; i++) {
        byte[] b = tokens.get(i).getBytes(StandardCharsets.UTF_8);
        MemorySegment t = call.allocate(Math.max(1, b.length));
        MemorySegment.copy(b, 0, t, JAVA_BYTE, 0, b.length);
        ptrs.setAtIndex(ADDRESS, i, t);
        lens.setAtIndex(JAVA_LONG, i, b.length);
      }
      int s = (int) Native.VERIFY_BATCH.invokeExact(handle, statuses, MemorySegment.NULL, ptrs, lens, (long) n,
          Math.max(0, threads));
      if (s != 0) throw TokenVerifyException.of(s);
      for (int i = 0; i < n; i++) {
        Status st = Status.fromCode(statuses.getAtIndex(JAVA_INT, i));
        result[i] = st != null ? st : Status.ERR_INTERNAL;
      }
      return result;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Decides whether {@code request} may pass (the README's "Request authentication"). A denied
   * request is a decision too ({@link Decision#allowed()} false), not an exception.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public Decision authenticate(Request request) {
    Objects.requireNonNull(request, "request");
    if (closed) throw closedError();
    try (Arena call = Arena.ofConfined()) {
      MemorySegment req = request.toNative(call);
      MemorySegment out = call.allocate(ADDRESS);
      int s = (int) Native.AUTHENTICATE.invokeExact(handle, out, req);
      if (s != 0) throw TokenVerifyException.of(s);
      return Decision.from(out.get(ADDRESS, 0));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Refuses, from now on, every token whose {@code jti} is {@code jti} ({@code TV_ERR_REVOKED})
   * until {@code exp} (unix seconds) plus the leeway.
   *
   * @throws TokenVerifyException {@code TV_ERR_INVALID_ARGUMENT} or {@code TV_ERR_REVOCATIONS_FULL}
   */
  public void revoke(String jti, long exp) {
    revoke(Native.REVOKE, jti, exp);
  }

  /**
   * Refuses every token whose {@code sub} is {@code sub} and whose {@code iat} is before {@code
   * issuedBefore} (unix seconds), or that has no {@code iat} ("log out everywhere").
   */
  public void revokeSubject(String sub, long issuedBefore) {
    revoke(Native.REVOKE_SUBJECT, sub, issuedBefore);
  }

  private void revoke(java.lang.invoke.MethodHandle fn, String id, long time) {
    if (closed) throw closedError();
    byte[] b = id.getBytes(StandardCharsets.UTF_8);
    try {
      int s = (int) fn.invokeExact(handle, MemorySegment.ofArray(b), (long) b.length, time);
      if (s != 0) throw TokenVerifyException.of(s);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /** The providers' health and counters as a JSON document (the README's "Health and stats"). */
  public String stats() {
    return stats(false);
  }

  /** {@link #stats()}; with {@code keys}, also each provider's keys. */
  public String stats(boolean keys) {
    if (closed) throw closedError();
    try (Arena call = Arena.ofConfined()) {
      MemorySegment out = call.allocate(ADDRESS);
      MemorySegment len = call.allocate(JAVA_LONG);
      int s = (int) Native.STATS.invokeExact(handle, out, len, keys ? 1 : 0);
      if (s != 0) throw TokenVerifyException.of(s);
      MemorySegment json = out.get(ADDRESS, 0);
      try {
        return Native.string(json.address(), len.get(JAVA_LONG, 0));
      } finally {
        Native.STRING_FREE.invokeExact(json);
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Frees the native verifier, after any call in flight on another thread has returned.
   * Idempotent; later calls throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    closed = true;
    cleanable.clean();
  }
}
