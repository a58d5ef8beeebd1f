package dev.tokenverify;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The C ABI (bindings/c/include/tokenverify.h) as method handles, looked up once.
 *
 * <p>Where the library comes from: the system property {@code tokenverify.library} (the
 * file), else {@code tokenverify.library.dir} (the directory holding libtokenverify.so),
 * else {@code System.loadLibrary("tokenverify")} (java.library.path).
 *
 * <p>Functions that return at once and never block are linked with {@code
 * Linker.Option.critical(true)}: no thread-state transition, and Java heap arrays are passed
 * to them in place (no copy). Functions that may block (building a verifier, which may wait
 * for a key set; freeing one, which joins its threads; authenticate, which may run a
 * password hash) are ordinary downcalls.
 */
final class Native {
  private Native() {}

  static final Linker LINKER = Linker.nativeLinker();
  static final SymbolLookup LIB = lookup();
  private static final Linker.Option CRITICAL = Linker.Option.critical(true);

  static SymbolLookup lookup() {
    String file = System.getProperty("tokenverify.library");
    if (file == null || file.isEmpty()) {
      String dir = System.getProperty("tokenverify.library.dir");
      if (dir != null && !dir.isEmpty()) file = Path.of(dir, System.mapLibraryName("tokenverify")).toString();
    }
    if (file != null && !file.isEmpty()) {
      Path path = Path.of(file).toAbsolutePath();
      if (!Files.isRegularFile(path)) {
        throw new UnsatisfiedLinkError("tokenverify: no library at " + path
            + " (set -Dtokenverify.library=/path/to/libtokenverify.so or -Dtokenverify.library.dir=DIR)");
      }
      return SymbolLookup.libraryLookup(path, Arena.global());
    }
    System.loadLibrary("tokenverify");
    return SymbolLookup.loaderLookup();
  }

  private static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... options) {
    MemorySegment symbol = LIB.find(name).orElseThrow(() -> new UnsatisfiedLinkError("tokenverify: no symbol " + name));
    return LINKER.downcallHandle(symbol, d, options);
  }

  // versions, statuses
  static final MethodHandle VERSION_NUMBER = fn("tv_version_number", FunctionDescriptor.of(JAVA_INT), CRITICAL);
  static final MethodHandle VERSION_STRING = fn("tv_version_string", FunctionDescriptor.of(ADDRESS), CRITICAL);
  static final MethodHandle STATUS_NAME = fn("tv_status_name", FunctionDescriptor.of(ADDRESS, JAVA_INT), CRITICAL);
  static final MethodHandle STATUS_MESSAGE = fn("tv_status_message", FunctionDescriptor.of(ADDRESS, JAVA_INT), CRITICAL);
  static final MethodHandle BASE64URL_IMPL = fn("tv_base64url_implementation", FunctionDescriptor.of(ADDRESS), CRITICAL);

  // verifier
  static final MethodHandle VERIFIER_NEW = fn("tv_verifier_new",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
  static final MethodHandle VERIFIER_NEW_EX2 = fn("tv_verifier_new_ex2",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
  static final MethodHandle VERIFIER_FREE = fn("tv_verifier_free", FunctionDescriptor.ofVoid(ADDRESS));
  private static final FunctionDescriptor VERIFY_D = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
  /** tv_verify taking the token in place from a heap array; for verifiers that never wait. */
  static final MethodHandle VERIFY_CRITICAL = fn("tv_verify", VERIFY_D, CRITICAL);
  /** tv_verify as an ordinary downcall: for verifiers whose verifications may wait (unknownKidWait). */
  static final MethodHandle VERIFY = fn("tv_verify", VERIFY_D);
  static final MethodHandle VERIFY_BATCH = fn("tv_verify_batch",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
  static final MethodHandle STATS = fn("tv_verifier_stats",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
  static final MethodHandle STRING_FREE = fn("tv_string_free", FunctionDescriptor.ofVoid(ADDRESS), CRITICAL);
  static final MethodHandle REVOKE = fn("tv_verifier_revoke",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG), CRITICAL);
  static final MethodHandle REVOKE_SUBJECT = fn("tv_verifier_revoke_subject",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG), CRITICAL);

  // claims
  static final MethodHandle CLAIMS_FREE = fn("tv_claims_free", FunctionDescriptor.ofVoid(ADDRESS), CRITICAL);
  private static final FunctionDescriptor VIEW_D = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
  static final MethodHandle CLAIMS_JSON = fn("tv_claims_json", VIEW_D, CRITICAL);
  static final MethodHandle CLAIMS_HEADER_JSON = fn("tv_claims_header_json", VIEW_D, CRITICAL);
  static final MethodHandle CLAIMS_PROVIDER = fn("tv_claims_provider", VIEW_D, CRITICAL);
  private static final FunctionDescriptor GET_D =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
  static final MethodHandle CLAIMS_GET_RAW = fn("tv_claims_get_raw", GET_D, CRITICAL);
  static final MethodHandle CLAIMS_GET_STRING = fn("tv_claims_get_string", GET_D, CRITICAL);
  static final MethodHandle CLAIMS_GET_INT64 = fn("tv_claims_get_int64",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG), CRITICAL);
  static final MethodHandle CLAIMS_DUP = fn("tv_claims_dup", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), CRITICAL);
  static final MethodHandle INSPECT_UNVERIFIED = fn("tv_inspect_unverified",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), CRITICAL);

  // requests
  static final MethodHandle AUTHENTICATE = fn("tv_authenticate", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
  static final MethodHandle DECISION_FREE = fn("tv_decision_free", FunctionDescriptor.ofVoid(ADDRESS), CRITICAL);
  static final MethodHandle DECISION_STATUS = fn("tv_decision_status", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
  static final MethodHandle DECISION_HTTP_STATUS = fn("tv_decision_http_status", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
  static final MethodHandle DECISION_METHOD = fn("tv_decision_method", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
  static final MethodHandle DECISION_JSON = fn("tv_decision_json", VIEW_D, CRITICAL);
  static final MethodHandle DECISION_PRINCIPAL = fn("tv_decision_principal", VIEW_D, CRITICAL);
  static final MethodHandle DECISION_WWW_AUTHENTICATE = fn("tv_decision_www_authenticate", VIEW_D, CRITICAL);
  static final MethodHandle DECISION_SET_HEADER_COUNT = fn("tv_decision_set_header_count",
      FunctionDescriptor.of(JAVA_LONG, ADDRESS), CRITICAL);
  static final MethodHandle DECISION_SET_HEADER = fn("tv_decision_set_header",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS), CRITICAL);
  static final MethodHandle DECISION_REMOVE_HEADER_COUNT = fn("tv_decision_remove_header_count",
      FunctionDescriptor.of(JAVA_LONG, ADDRESS), CRITICAL);
  static final MethodHandle DECISION_REMOVE_HEADER = fn("tv_decision_remove_header",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), CRITICAL);
  static final MethodHandle DECISION_CLAIMS = fn("tv_decision_claims", FunctionDescriptor.of(ADDRESS, ADDRESS), CRITICAL);

  /** sizeof(tv_diag): status, field[128], message[384]. */
  static final long DIAG_SIZE = 4 + 128 + 384;
  static final long DIAG_FIELD = 4;
  static final long DIAG_MESSAGE = 4 + 128;

  /** The {@code len} bytes at {@code address} as UTF-8 text. */
  static String string(long address, long len) {
    if (address == 0) return null;
    byte[] bytes = MemorySegment.ofAddress(address).reinterpret(len).toArray(JAVA_BYTE);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** A static NUL-terminated string of the library. */
  static String cString(MemorySegment s) {
    return s.equals(MemorySegment.NULL) ? null : s.reinterpret(Long.MAX_VALUE).getString(0);
  }

  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) return r;
    if (t instanceof Error e) throw e;
    return new IllegalStateException(t);
  }
}
