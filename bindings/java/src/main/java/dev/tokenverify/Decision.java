package dev.tokenverify;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link Verifier#authenticate(Request)} decided: allowed or not, the HTTP status to
 * answer, how the request was authenticated, the principal, the challenge of a 401, the
 * headers to set on and remove from the forwarded request, and the verified token's claims.
 *
 * <p>Read whole from the engine's {@code tv_decision}, which is freed at once; only {@link
 * #claims()} holds native memory (a copy): {@link #close()} frees it, or the cleaner does.
 */
public final class Decision implements AutoCloseable {
  private final int status;
  private final int httpStatus;
  private final AuthMethod method;
  private final String principal;
  private final String wwwAuthenticate;
  private final List<Map.Entry<String, String>> setHeaders;
  private final List<String> removeHeaders;
  private final String json;
  private final Claims claims;

  private Decision(int status, int httpStatus, AuthMethod method, String principal, String wwwAuthenticate,
      List<Map.Entry<String, String>> setHeaders, List<String> removeHeaders, String json, Claims claims) {
    this.status = status;
    this.httpStatus = httpStatus;
    this.method = method;
    this.principal = principal;
    this.wwwAuthenticate = wwwAuthenticate;
    this.setHeaders = setHeaders;
    this.removeHeaders = removeHeaders;
    this.json = json;
    this.claims = claims;
  }

  private static String view(java.lang.invoke.MethodHandle fn, MemorySegment d) throws Throwable {
    long[] out = new long[2];
    int s = (int) fn.invokeExact(d, MemorySegment.ofArray(out).asSlice(0, 8), MemorySegment.ofArray(out).asSlice(8, 8));
    if (s == Status.ERR_NOT_FOUND.code()) return null;
    if (s != 0) throw TokenVerifyException.of(s);
    return Native.string(out[0], out[1]);
  }

  /** Reads the decision {@code d} whole and frees it. */
  static Decision from(MemorySegment d) throws Throwable {
    try {
      int status = (int) Native.DECISION_STATUS.invokeExact(d);
      int http = (int) Native.DECISION_HTTP_STATUS.invokeExact(d);
      AuthMethod method = AuthMethod.of((int) Native.DECISION_METHOD.invokeExact(d));
      String principal = view(Native.DECISION_PRINCIPAL, d);
      String challenge = view(Native.DECISION_WWW_AUTHENTICATE, d);
      String json = view(Native.DECISION_JSON, d);
      long n = (long) Native.DECISION_SET_HEADER_COUNT.invokeExact(d);
      List<Map.Entry<String, String>> set = new ArrayList<>();
      for (long i = 0; i < n; i++) {
        long[] out = new long[4];
        MemorySegment o = MemorySegment.ofArray(out);
        int s = (int) Native.DECISION_SET_HEADER.invokeExact(d, i, o.asSlice(0, 8), o.asSlice(8, 8), o.asSlice(16, 8),
            o.asSlice(24, 8));
        if (s != 0) throw TokenVerifyException.of(s);
        set.add(Map.entry(Native.string(out[0], out[1]), Native.string(out[2], out[3])));
      }
      n = (long) Native.DECISION_REMOVE_HEADER_COUNT.invokeExact(d);
      List<String> remove = new ArrayList<>();
      for (long i = 0; i < n; i++) {
        long[] out = new long[2];
        MemorySegment o = MemorySegment.ofArray(out);
        int s = (int) Native.DECISION_REMOVE_HEADER.invokeExact(d, i, o.asSlice(0, 8), o.asSlice(8, 8));
        if (s != 0) throw TokenVerifyException.of(s);
        remove.add(Native.string(out[0], out[1]));
      }
      MemorySegment c = (MemorySegment) Native.DECISION_CLAIMS.invokeExact(d);
      Claims claims = c.equals(MemorySegment.NULL) ? null : new Claims(Claims.dup(c));
      return new Decision(status, http, method, principal, challenge, List.copyOf(set), List.copyOf(remove), json, claims);
    } finally {
      Native.DECISION_FREE.invokeExact(d);
    }
  }

  /** True when the request may pass. */
  public boolean allowed() {
    return status == 0;
  }

  /** {@link Status#OK}, or why the request was refused (a 6xx, or the token's own status). */
  public Status status() {
    Status s = Status.fromCode(status);
    return s != null ? s : Status.ERR_INTERNAL;
  }

  /** The status number. */
  public int statusCode() {
    return status;
  }

  /** The refusal as an exception (to throw, log or match), or null when allowed. */
  public TokenVerifyException error() {
    return status == 0 ? null : TokenVerifyException.of(status);
  }

  /** 200, 400, 401, 403 or 503. */
  public int httpStatus() {
    return httpStatus;
  }

  public AuthMethod method() {
    return method;
  }

  /** The user name, key or token name, or the token's sub; null when refused or none. */
  public String principal() {
    return principal;
  }

  /** The WWW-Authenticate challenge of a 401, or null. */
  public String wwwAuthenticate() {
    return wwwAuthenticate;
  }

  /** Headers to set on the forwarded request, names in lower case, in order. */
  public List<Map.Entry<String, String>> setHeaders() {
    return setHeaders;
  }

  /** Headers to remove from the forwarded request. */
  public List<String> removeHeaders() {
    return removeHeaders;
  }

  /** The whole decision as the engine's JSON object (allow, httpStatus, status, method, rule, ...). */
  public String json() {
    return json;
  }

  /** The verified token's claims when a JWT authenticated the request, else null. */
  public Claims claims() {
    return claims;
  }

  /** Frees the claims' native copy, if any (idempotent). */
  @Override
  public void close() {
    if (claims != null) claims.close();
  }

  @Override
  public String toString() {
    return "Decision" + json;
  }
}
